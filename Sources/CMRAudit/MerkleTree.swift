import CMRCrypto

/// The Merkle tree of RFC 6962 §2.1 (RFC 9162 §2.1) over SHA-256: leaf hash
/// SHA-256(0x00 ‖ leaf), interior hash SHA-256(0x01 ‖ left ‖ right), the split at the largest
/// power of two below n. Hashes are 32-byte arrays.
public enum MerkleTree {
    /// SHA-256(0x00 ‖ `leaf`).
    public static func leafHash(_ leaf: some Collection<UInt8>) -> [UInt8] {
        var hash = SHA256()
        hash.update([0x00])
        hash.update(leaf)
        return hash.finalize()
    }

    /// SHA-256(0x00 ‖ bytes).
    public static func leafHash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var hash = SHA256()
        hash.update([0x00])
        hash.update(buffer)
        return hash.finalize()
    }

    /// SHA-256(0x01 ‖ `left` ‖ `right`).
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hash = SHA256()
        hash.update([0x01])
        hash.update(left)
        hash.update(right)
        return hash.finalize()
    }

    /// The hash of the empty tree: SHA-256 of no bytes.
    public static let emptyRoot: [UInt8] = SHA256.hash([UInt8]())

    /// MTH of the leaves whose leaf hashes are `leafHashes`, in O(n) time, O(log n) space.
    public static func root(leafHashes: some Sequence<[UInt8]>) -> [UInt8] {
        var builder = Builder()
        for hash in leafHashes { builder.append(leafHash: hash) }
        return builder.root
    }

    /// Grows a tree one leaf at a time and gives the root of the leaves so far, keeping one hash
    /// per set bit of the size (the roots of the perfect subtrees, left to right).
    public struct Builder: Sendable {
        /// Roots of perfect subtrees, largest (leftmost) first.
        private var stack: [[UInt8]] = []
        public private(set) var size: UInt64 = 0

        public init() {}

        public mutating func append(leafHash: [UInt8]) {
            var hash = leafHash
            var merged = size
            while merged & 1 == 1 {
                hash = MerkleTree.nodeHash(stack.removeLast(), hash)
                merged >>= 1
            }
            stack.append(hash)
            size += 1
        }

        /// Appends the `size` leaves whose perfect subtree has root `subtreeRoot`, as if one by
        /// one: `size` must be a power of two dividing the current size.
        public mutating func append(subtreeRoot: [UInt8], size subtreeSize: UInt64) {
            precondition(subtreeSize > 0 && subtreeSize & (subtreeSize - 1) == 0 && size % subtreeSize == 0,
                         "a subtree must be a power of two aligned to the tree")
            var hash = subtreeRoot
            var merged = size / subtreeSize
            while merged & 1 == 1 {
                hash = MerkleTree.nodeHash(stack.removeLast(), hash)
                merged >>= 1
            }
            stack.append(hash)
            size += subtreeSize
        }

        /// MTH of the leaves appended so far (`emptyRoot` for none).
        public var root: [UInt8] {
            guard var hash = stack.last else { return MerkleTree.emptyRoot }
            for left in stack.dropLast().reversed() { hash = MerkleTree.nodeHash(left, hash) }
            return hash
        }
    }

    // MARK: Inclusion (RFC 6962 §2.1.1, verification RFC 9162 §2.1.3.2)

    /// The audit path of leaf `index` in the tree of `leafHashes` (PATH(m, D[n])).
    public static func inclusionProof(index: Int, leafHashes: [[UInt8]]) -> [[UInt8]] {
        precondition(index >= 0 && index < leafHashes.count, "leaf index out of range")
        return path(index, leafHashes[...])
    }

    private static func path(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
        let n = leaves.count
        guard n > 1 else { return [] }
        let k = largestPowerOfTwo(below: n)
        let start = leaves.startIndex
        if m < k {
            return path(m, leaves[start..<(start + k)]) + [subtreeRoot(leaves[(start + k)...])]
        }
        return path(m - k, leaves[(start + k)...]) + [subtreeRoot(leaves[start..<(start + k)])]
    }

    /// Whether `proof` shows that `leafHash` is leaf `index` of the tree of `treeSize` leaves
    /// whose root is `root`.
    public static func verifyInclusion(
        leafHash: [UInt8], index: UInt64, treeSize: UInt64, proof: [[UInt8]], root: [UInt8]
    ) -> Bool {
        guard index < treeSize else { return false }
        var fn = index
        var sn = treeSize - 1
        var r = leafHash
        for p in proof {
            guard p.count == 32 else { return false }
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && ConstantTime.equals(r, root)
    }

    // MARK: Consistency (RFC 6962 §2.1.2, verification RFC 9162 §2.1.4.2)

    /// The consistency proof PROOF(m, D[n]) that the tree of the first `oldSize` leaves is a
    /// prefix of the tree of all `leafHashes`.
    public static func consistencyProof(oldSize: Int, leafHashes: [[UInt8]]) -> [[UInt8]] {
        precondition(oldSize >= 0 && oldSize <= leafHashes.count, "old size out of range")
        guard oldSize > 0, oldSize < leafHashes.count else { return [] }
        return subproof(oldSize, leafHashes[...], complete: true)
    }

    private static func subproof(_ m: Int, _ leaves: ArraySlice<[UInt8]>, complete: Bool) -> [[UInt8]] {
        let n = leaves.count
        if m == n { return complete ? [] : [subtreeRoot(leaves)] }
        let k = largestPowerOfTwo(below: n)
        let start = leaves.startIndex
        if m <= k {
            return subproof(m, leaves[start..<(start + k)], complete: complete) + [subtreeRoot(leaves[(start + k)...])]
        }
        return subproof(m - k, leaves[(start + k)...], complete: false) + [subtreeRoot(leaves[start..<(start + k)])]
    }

    /// Whether `proof` shows that the tree of `oldSize` leaves with root `oldRoot` is a prefix of
    /// the tree of `newSize` leaves with root `newRoot`.
    public static func verifyConsistency(
        oldSize: UInt64, newSize: UInt64, oldRoot: [UInt8], newRoot: [UInt8], proof: [[UInt8]]
    ) -> Bool {
        guard oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && ConstantTime.equals(oldRoot, newRoot) }
        if oldSize == 0 { return proof.isEmpty }
        guard !proof.isEmpty, proof.allSatisfy({ $0.count == 32 }) else { return false }
        var path = proof[...]
        if oldSize & (oldSize - 1) == 0 { path = [oldRoot] + proof }  // old size a power of two
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path.first!
        var sr = path.first!
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && ConstantTime.equals(fr, oldRoot) && ConstantTime.equals(sr, newRoot)
    }

    // MARK: Helpers

    /// MTH of a non-empty run of leaf hashes.
    static func subtreeRoot(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        var builder = Builder()
        for leaf in leaves { builder.append(leafHash: leaf) }
        return builder.root
    }

    /// The largest power of two strictly less than `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }
}
