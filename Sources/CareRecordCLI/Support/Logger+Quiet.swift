import Logging

extension Logger {
    /// A logger that prints warnings and errors only, for commands that print their own report.
    static func quiet(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }
}
