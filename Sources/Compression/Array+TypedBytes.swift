extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws only ``CompressionError`` (the standard library's
    /// version is `rethrows`, which loses the error type).
    func withBytes<R>(
        _ body: (UnsafeRawBufferPointer) throws(CompressionError) -> R
    ) throws(CompressionError) -> R {
        let result: Result<R, CompressionError> = withUnsafeBytes { bytes in
            do throws(CompressionError) {
                return .success(try body(bytes))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
