/// A heading of the root help's command list (as `git help` groups its commands).
public struct CommandCategory: Sendable, Hashable {
    public var title: String
    /// Categories are listed in increasing order.
    public var order: Int

    public init(title: String, order: Int) {
        self.title = title
        self.order = order
    }

    public static let examine = CommandCategory(title: "Look at data", order: 10)
    public static let transfer = CommandCategory(title: "Move data between systems", order: 20)
    public static let privacy = CommandCategory(title: "Protect privacy", order: 30)
    public static let record = CommandCategory(title: "Keep and check the audit record", order: 40)
    public static let make = CommandCategory(title: "Make test data", order: 80)
    public static let helpers = CommandCategory(title: "Help and shell set-up", order: 90)

    /// The distinct categories of `categories`, in order.
    static func ordered(_ categories: [CommandCategory]) -> [CommandCategory] {
        var seen: [CommandCategory] = []
        for category in categories where !seen.contains(category) { seen.append(category) }
        return seen.sorted { $0.order < $1.order }
    }
}
