#if canImport(Glibc)
import Glibc
#endif

/// The last SIGINT or SIGTERM caught (0: none). Written only by the handler, an async-signal-safe
/// store of a word; read by the servers' loops.
nonisolated(unsafe) private var caughtStopSignal: sig_atomic_t = 0

/// SIGINT and SIGTERM for the long-running commands (`cmr listen`, `cmr share serve`): a handler
/// that records the signal, polled by the command's loop.
///
/// Decision: not Dispatch signal sources. libdispatch on Linux reads them from a `signalfd` and
/// blocks the signal only in the thread that registers the source; a signal sent to the process
/// can be delivered to any other thread that has it unblocked, where its disposition (SIG_IGN,
/// which Dispatch asks for) discards it. Whether a thread was there first depends on timing: the
/// static release build of `cmr listen` did not stop on SIGTERM while the debug build did. A
/// handler runs in whichever thread receives the signal, so nothing is lost.
public enum StopSignals {
    /// Installs the handler for SIGINT and SIGTERM (before the port opens, so that a signal sent
    /// as soon as the server accepts is caught) and forgets any earlier one.
    public static func install() {
        caughtStopSignal = 0
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in caughtStopSignal = signal }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        _ = sigaction(SIGINT, &action, nil)
        _ = sigaction(SIGTERM, &action, nil)
    }

    /// The signal caught since `install`, if any.
    public static var caught: Int32? { caughtStopSignal == 0 ? nil : caughtStopSignal }

    /// Back to the default actions (the command is stopping anyway; a second signal ends it).
    public static func restoreDefaults() {
        _ = signal(SIGINT, SIG_DFL)
        _ = signal(SIGTERM, SIG_DFL)
    }
}
