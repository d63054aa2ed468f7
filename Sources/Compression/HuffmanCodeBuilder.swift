/// Builds length-limited canonical Huffman codes for ``Deflater``.
enum HuffmanCodeBuilder {
    /// Fills `lengths[0..<count]` with code lengths of at most `maxBits` for `frequencies`.
    ///
    /// The result is always a complete prefix code of at least two codes (a dummy symbol is given
    /// a code when fewer than two are used), which every inflater accepts. Lengths come from a
    /// Huffman tree; when it is deeper than `maxBits`, frequencies are halved (keeping them
    /// nonzero) and the tree rebuilt, which converges to a balanced tree.
    static func lengths(
        frequencies: UnsafePointer<UInt32>, count: Int, maxBits: Int,
        into lengths: UnsafeMutablePointer<UInt8>
    ) {
        lengths.update(repeating: 0, count: count)
        var symbols: [Int] = []
        symbols.reserveCapacity(count)
        for s in 0..<count where frequencies[s] != 0 { symbols.append(s) }
        if symbols.count < 2 {
            let used = symbols.first ?? 0
            lengths[used] = 1
            lengths[used == 0 ? 1 : 0] = 1
            return
        }
        let n = symbols.count
        var weights = symbols.map { UInt64(frequencies[$0]) }
        var order = Array(0..<n)
        var nodeWeight = [UInt64](repeating: 0, count: 2 * n - 1)
        var parent = [Int](repeating: 0, count: 2 * n - 1)
        var depth = [Int](repeating: 0, count: 2 * n - 1)
        while true {
            order.sort { weights[$0] != weights[$1] ? weights[$0] < weights[$1] : $0 < $1 }
            for i in 0..<n { nodeWeight[i] = weights[order[i]] }
            // Two queues: sorted leaves 0..<n, internal nodes n..<next in creation (weight) order.
            var leaf = 0
            var inner = n
            var next = n
            func takeSmallest() -> Int {
                if leaf < n && (inner >= next || nodeWeight[leaf] <= nodeWeight[inner]) {
                    leaf += 1
                    return leaf - 1
                }
                inner += 1
                return inner - 1
            }
            while next < 2 * n - 1 {
                let a = takeSmallest()
                let b = takeSmallest()
                nodeWeight[next] = nodeWeight[a] + nodeWeight[b]
                parent[a] = next
                parent[b] = next
                next += 1
            }
            depth[2 * n - 2] = 0
            var deepest = 0
            for node in stride(from: 2 * n - 3, through: 0, by: -1) {
                depth[node] = depth[parent[node]] + 1
                if node < n { deepest = max(deepest, depth[node]) }
            }
            if deepest <= maxBits {
                for i in 0..<n { lengths[symbols[order[i]]] = UInt8(depth[i]) }
                return
            }
            for i in 0..<n { weights[i] = max(1, (weights[i] + 1) / 2) }
        }
    }

    /// Fills `codes` with the canonical codes for `lengths`, bit-reversed for LSB-first output.
    static func codes(
        lengths: UnsafePointer<UInt8>, count: Int, into codes: UnsafeMutablePointer<UInt16>
    ) {
        var lengthCounts = [Int](repeating: 0, count: 16)
        for s in 0..<count { lengthCounts[Int(lengths[s])] += 1 }
        lengthCounts[0] = 0
        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        for bits in 1...15 {
            code = (code + lengthCounts[bits - 1]) << 1
            nextCode[bits] = code
        }
        for s in 0..<count {
            let len = Int(lengths[s])
            if len == 0 {
                codes[s] = 0
                continue
            }
            codes[s] = UInt16(HuffmanDecodeTable.reverse(nextCode[len], bits: len))
            nextCode[len] += 1
        }
    }
}
