extension InflateMachine {
    /// Decodes literal/length and distance codes up to the end of the current block.
    ///
    /// The fast loop runs while at least 8 input bytes and 258 bytes of output room remain: it
    /// refills the bit buffer with one unaligned 64-bit load (at least 56 valid bits afterwards,
    /// enough for the longest literal/length code, its extra bits, distance code and extra bits)
    /// and copies matches 16 or 8 bytes at a time. Near the end of the input or of the output room a
    /// careful loop decodes one whole symbol at a time and stops, consuming nothing of it, when
    /// its bits have not all arrived.
    ///
    /// Returns `.finished` at the end-of-block code.
    mutating func decodeCodes(
        _ ipRef: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>
    ) throws(CompressionError) -> Status {
        var ip = ipRef
        var bb = bitBuffer
        var bc = bitCount
        var op = written
        let out = window
        let lit = literalTable
        let dist = distanceTable
        defer {
            // The fast refill leaves bits of not-yet-counted bytes above `bc`; clear them, since
            // other states may take those bytes straight from the input.
            ipRef = ip
            bitBuffer = bc >= 64 ? bb : bb & ((1 &<< UInt64(bc)) &- 1)
            bitCount = bc
            written = op
        }
        let litMask: UInt64 = (1 << UInt64(HuffmanDecodeTable.literalRootBits)) - 1
        let distMask: UInt64 = (1 << UInt64(HuffmanDecodeTable.distanceRootBits)) - 1
        let litRoot = UInt64(HuffmanDecodeTable.literalRootBits)
        let distRoot = UInt64(HuffmanDecodeTable.distanceRootBits)
        // Window index at which the output limit is reached.
        let limitIndex = limit - outputBase
        let fastOutEnd = min(capacity, limitIndex) - DeflateConstants.maxMatch

        while true {
            if end - ip >= 8 {
                let fastInEnd = end - 8
                while ip <= fastInEnd && op <= fastOutEnd {
                    bb |= UInt64(littleEndian: UnsafeRawPointer(ip).loadUnaligned(as: UInt64.self)) &<< UInt64(bc)
                    ip += (63 &- bc) &>> 3
                    bc |= 56

                    var e = lit[Int(truncatingIfNeeded: bb & litMask)]
                    if e & HuffmanDecodeTable.link != 0 {
                        let subMask = (UInt64(1) &<< UInt64((e >> 8) & 15)) &- 1
                        e = lit[Int(e >> 16) &+ Int(truncatingIfNeeded: (bb &>> litRoot) & subMask)]
                    }
                    let codeBits = e & 31
                    bb &>>= UInt64(codeBits)
                    bc &-= Int(codeBits)
                    if e & HuffmanDecodeTable.kindMask == 0 {
                        out[op] = UInt8(truncatingIfNeeded: e >> 16)
                        op &+= 1
                        // At least 41 bits remain: room for two more literals (15 bits each)
                        // without refilling.
                        e = lit[Int(truncatingIfNeeded: bb & litMask)]
                        if e & HuffmanDecodeTable.kindMask == 0 {
                            bb &>>= UInt64(e & 31)
                            bc &-= Int(e & 31)
                            out[op] = UInt8(truncatingIfNeeded: e >> 16)
                            op &+= 1
                            e = lit[Int(truncatingIfNeeded: bb & litMask)]
                            if e & HuffmanDecodeTable.kindMask == 0 {
                                bb &>>= UInt64(e & 31)
                                bc &-= Int(e & 31)
                                out[op] = UInt8(truncatingIfNeeded: e >> 16)
                                op &+= 1
                            }
                        }
                        continue
                    }
                    if e & HuffmanDecodeTable.length == 0 {
                        if e == HuffmanDecodeTable.endOfBlock | codeBits { return .finished }
                        throw .invalidSymbol(offset: offset(ip, bc))
                    }
                    let lengthExtra = UInt64((e >> 8) & 15)
                    let length = Int(e >> 16) &+ Int(truncatingIfNeeded: bb & ((1 &<< lengthExtra) &- 1))
                    bb &>>= lengthExtra
                    bc &-= Int(lengthExtra)

                    var d = dist[Int(truncatingIfNeeded: bb & distMask)]
                    if d & HuffmanDecodeTable.link != 0 {
                        let subMask = (UInt64(1) &<< UInt64((d >> 8) & 15)) &- 1
                        d = dist[Int(d >> 16) &+ Int(truncatingIfNeeded: (bb &>> distRoot) & subMask)]
                    }
                    if d & HuffmanDecodeTable.special != 0 {
                        throw .invalidSymbol(offset: offset(ip, bc))
                    }
                    let distanceBits = UInt64(d & 31)
                    bb &>>= distanceBits
                    bc &-= Int(distanceBits)
                    let distanceExtra = UInt64((d >> 8) & 15)
                    let distance = Int(d >> 16) &+ Int(truncatingIfNeeded: bb & ((1 &<< distanceExtra) &- 1))
                    bb &>>= distanceExtra
                    bc &-= Int(distanceExtra)
                    if distance > op {
                        throw .distanceTooFarBack(offset: offset(ip, bc), distance: distance)
                    }
                    Self.copyMatch(out + op, distance: distance, length: length)
                    op &+= length
                }
            }

            // Careful path: one whole symbol, or stop.
            if op > capacity - DeflateConstants.maxMatch { return .outputFull }
            while bc <= 56 && ip < end {
                bb |= UInt64(ip.pointee) &<< UInt64(bc)
                ip += 1
                bc += 8
            }
            var e = lit[Int(truncatingIfNeeded: bb & litMask)]
            if e & HuffmanDecodeTable.link != 0 {
                let subMask = (UInt64(1) &<< UInt64((e >> 8) & 15)) &- 1
                e = lit[Int(e >> 16) + Int(truncatingIfNeeded: (bb &>> litRoot) & subMask)]
            }
            let codeBits = Int(e & 31)
            if codeBits > bc { return .needsInput }
            if e & HuffmanDecodeTable.kindMask == 0 {
                if op >= limitIndex {
                    throw .outputLimitExceeded(offset: offset(ip, bc), limit: limit)
                }
                bb &>>= UInt64(codeBits)
                bc -= codeBits
                out[op] = UInt8(truncatingIfNeeded: e >> 16)
                op += 1
                continue
            }
            if e & HuffmanDecodeTable.length == 0 {
                if e == HuffmanDecodeTable.endOfBlock | UInt32(codeBits) {
                    bb &>>= UInt64(codeBits)
                    bc -= codeBits
                    return .finished
                }
                throw .invalidSymbol(offset: offset(ip, bc))
            }
            let lengthExtra = Int((e >> 8) & 15)
            let lengthBits = codeBits + lengthExtra
            if lengthBits > bc { return .needsInput }
            let length = Int(e >> 16)
                + Int(truncatingIfNeeded: (bb &>> UInt64(codeBits)) & ((1 &<< UInt64(lengthExtra)) &- 1))
            let rest = bb &>> UInt64(lengthBits)
            var d = dist[Int(truncatingIfNeeded: rest & distMask)]
            if d & HuffmanDecodeTable.link != 0 {
                let subMask = (UInt64(1) &<< UInt64((d >> 8) & 15)) &- 1
                d = dist[Int(d >> 16) + Int(truncatingIfNeeded: (rest &>> distRoot) & subMask)]
            }
            let distanceBits = Int(d & 31)
            if lengthBits + distanceBits > bc { return .needsInput }
            if d & HuffmanDecodeTable.special != 0 {
                throw .invalidSymbol(offset: offset(ip, bc))
            }
            let distanceExtra = Int((d >> 8) & 15)
            let totalBits = lengthBits + distanceBits + distanceExtra
            if totalBits > bc { return .needsInput }
            let distance = Int(d >> 16)
                + Int(truncatingIfNeeded: (rest &>> UInt64(distanceBits)) & ((1 &<< UInt64(distanceExtra)) &- 1))
            if op + length > limitIndex {
                throw .outputLimitExceeded(offset: offset(ip, bc), limit: limit)
            }
            bb &>>= UInt64(totalBits)
            bc -= totalBits
            if distance > op {
                throw .distanceTooFarBack(offset: offset(ip, bc), distance: distance)
            }
            Self.copyMatch(out + op, distance: distance, length: length)
            op += length
        }
    }

    /// Copies `length` bytes from `distance` bytes back to `destination`, which may overlap them.
    /// May write up to 15 bytes past the end (into the window's slack).
    @inline(__always)
    static func copyMatch(_ destination: UnsafeMutablePointer<UInt8>, distance: Int, length: Int) {
        var dst = UnsafeMutableRawPointer(destination)
        var src = UnsafeRawPointer(destination - distance)
        if distance >= 16 {
            let end = dst + length
            repeat {
                let a = src.loadUnaligned(as: UInt64.self)
                let b = src.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                dst.storeBytes(of: a, as: UInt64.self)
                dst.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
                dst += 16
                src += 16
            } while dst < end
        } else if distance >= 8 {
            let end = dst + length
            repeat {
                dst.storeBytes(of: src.loadUnaligned(as: UInt64.self), as: UInt64.self)
                dst += 8
                src += 8
            } while dst < end
        } else if distance == 1 {
            destination.update(repeating: destination[-1], count: length)
        } else {
            let source = destination - distance
            for i in 0..<length { destination[i] = source[i] }
        }
    }
}
