/// What a WADO-RS request names: a study, a series, an instance or some of an instance's frames.
public enum WADOTarget: Sendable, Equatable {
    case study(String)
    case series(study: String, series: String)
    case instance(study: String, series: String, instance: String)
    case frames(study: String, series: String, instance: String, frames: [Int])

    /// The resource path under the base URL.
    public var path: String {
        switch self {
        case .study(let s): return "studies/\(s)"
        case .series(let s, let r): return "studies/\(s)/series/\(r)"
        case .instance(let s, let r, let i): return "studies/\(s)/series/\(r)/instances/\(i)"
        case .frames(let s, let r, let i, let f): return "studies/\(s)/series/\(r)/instances/\(i)/frames/" + f.map(String.init).joined(separator: ",")
        }
    }
}
