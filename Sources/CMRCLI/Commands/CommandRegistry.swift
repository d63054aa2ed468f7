/// Every command under `cmr`. A new command is one file in `Commands/` and one line here; its
/// help, man page and completions follow from its spec (run `scripts/generate-docs`).
public enum CommandRegistry {
    public static let commands: [any CLICommand.Type] = [
        InspectCommand.self,
        RenderCommand.self,
        DeidentifyCommand.self,
        KeyCommand.self,
        ReidentifyCommand.self,
        SynthCommand.self,
        SendCommand.self,
        PullCommand.self,
        QueryCommand.self,
        EchoCommand.self,
        ListenCommand.self,
        ShareCommand.self,
        AuditCommand.self,
        CompletionCommand.self,
        HelpCommand.self,
        VersionCommand.self,
        GenerateDocsCommand.self,
        AuditLoadCommand.self,
    ]
}
