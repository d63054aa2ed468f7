extension ConstantTime {
    // Masks for branch-free selection: `x ^ ((x ^ y) & mask)` is y where mask is all ones and x
    // where it is zero. These functions are kept out of line on purpose. Where the optimiser can
    // see that a value is such a mask (say `a == b ? ~0 : 0`) it may rewrite the masked
    // selection as a conditional branch, which leaks the secret condition through timing; a call
    // result is opaque to it. (The disassembly of `EdwardsPoint.multiplyBase` was checked for
    // this: no branches on the digit in release builds.)

    /// All ones if a == b, else zero.
    @inline(never)
    static func equalMask(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let difference = a ^ b
        let nonZero = (difference | (0 &- difference)) &>> 63  // 1 if a ≠ b
        return nonZero &- 1
    }

    /// All ones if value is negative, else zero.
    @inline(never)
    static func negativeMask(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: value >> 63)
    }
}
