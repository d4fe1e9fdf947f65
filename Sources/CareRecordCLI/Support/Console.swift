import Foundation

/// Unbuffered output, so a long-running command's lines show at once even in a pipe or a file.
enum Console {
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
