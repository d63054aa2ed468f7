import CMRCLI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

exit(CMRCLI.main(CommandLine.arguments))
