import Foundation
import DICOMImaging

/// The routes of `cmr share serve`, as a pure function of request → response (no sockets): the
/// viewer page, the study manifest, thumbnails, rendered frames, and for `download` grants the
/// DICOM files at WADO-RS paths. Every API request is verified (`verify`: signature, time window,
/// revocation) and authorized against the grant (study, series, scope), and reported through
/// `onAccess`, refused or not. See docs/share-server.md.
///
/// | route | answer |
/// |---|---|
/// | `GET /s` | the viewer page (no token: the page reads it from the URL fragment) |
/// | `GET /api/study` | JSON manifest of the granted study |
/// | `GET /api/thumb/SERIES` | PNG, the middle frame of the middle instance, fit in 128×128 |
/// | `GET /api/frame/INSTANCE/N?window=C,W\|auto&size=WxH` | PNG of frame N (0-based) |
/// | `GET /studies/S/series/R/instances/I` | `application/dicom`, download grants only |
public struct ShareApp: Sendable {
    public typealias Verify = @Sendable (_ token: String) -> Result<ShareGrant, GrantRefusal>
    public typealias OnAccess = @Sendable (ShareAccess) -> Void
    /// Counts one use of a grant (a viewer opening the study: the manifest request); returns the
    /// refusal when every permitted use has been made.
    public typealias RecordUse = @Sendable (_ grant: ShareGrant, _ client: String) -> GrantRefusal?

    public let index: StudyIndex
    let verify: Verify
    let onAccess: OnAccess
    let recordUse: RecordUse?
    let renderer: FrameRenderer

    /// `openFiles`: parsed files kept for rendering; `thumbnails`: series thumbnails kept.
    public init(index: StudyIndex, verify: @escaping Verify, onAccess: @escaping OnAccess, recordUse: RecordUse? = nil,
                openFiles: Int = 64, thumbnails: Int = 1024) {
        self.index = index
        self.verify = verify
        self.onAccess = onAccess
        self.recordUse = recordUse
        self.renderer = FrameRenderer(openFiles: openFiles, thumbnails: thumbnails)
    }

    /// This app as a server's handler.
    public var handler: HTTPServer.Handler { { request in respond(to: request) } }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            var r = Self.error(405, "method-not-allowed")
            r.headers.set("Allow", "GET, HEAD")
            return r
        }
        guard let segments = request.pathSegments else { return Self.error(400, "bad-path") }
        switch segments.count {
        case 1 where segments[0] == "s":
            return ViewerPage.response
        case 2 where segments == ["api", "study"]:
            return manifest(request)
        case 3 where segments[0] == "api" && segments[1] == "thumb":
            return thumbnail(request, series: segments[2])
        case 4 where segments[0] == "api" && segments[1] == "frame":
            return frame(request, instance: segments[2], frame: segments[3])
        case 6 where segments[0] == "studies" && segments[2] == "series" && segments[4] == "instances":
            return download(request, study: segments[1], series: segments[3], instance: segments[5])
        default:
            return Self.error(404, "not-found")
        }
    }

    // MARK: Routes

    func manifest(_ request: HTTPRequest) -> HTTPResponse {
        let access = ShareAccess(grantID: nil, studyUID: nil, endpoint: .study, kind: .view, client: request.remoteAddress, status: 0, bytes: 0)
        return reported(access) { access in
            let grant = try authorize(request, &access, study: nil, series: nil, download: false)
            guard let study = index.study(grant.studyUID) else { throw Refusal.notFound }
            // Opening the study is one use of the link (--max-uses); frames of an open viewer are not.
            if let refusal = recordUse?(grant, request.remoteAddress) { throw Refusal.grant(refusal) }
            let m = Manifest(study, grant: grant)
            return .bytes(200, contentType: "application/json", Array(try Self.encoder.encode(m)))
        }
    }

    func thumbnail(_ request: HTTPRequest, series uid: String) -> HTTPResponse {
        let access = ShareAccess(grantID: nil, studyUID: nil, seriesUID: uid, endpoint: .thumbnail, kind: .view,
                                 client: request.remoteAddress, status: 0, bytes: 0)
        return reported(access) { access in
            let grant = try authorize(request, &access, study: nil, series: nil, download: false)
            guard let studyUID = index.studyUID(ofSeries: uid), let series = index.series(uid) else { throw Refusal.notFound }
            _ = try authorize(request, &access, study: studyUID, series: uid, download: false, grant: grant)
            return try Self.png(renderer.thumbnail(series: series))
        }
    }

    func frame(_ request: HTTPRequest, instance uid: String, frame text: String) -> HTTPResponse {
        let access = ShareAccess(grantID: nil, studyUID: nil, instanceUID: uid, endpoint: .frame, kind: .view,
                                 client: request.remoteAddress, status: 0, bytes: 0)
        return reported(access) { access in
            let grant = try authorize(request, &access, study: nil, series: nil, download: false)
            guard let location = index.instance(uid) else { throw Refusal.notFound }
            access.seriesUID = location.series
            _ = try authorize(request, &access, study: location.study, series: location.series, download: false, grant: grant)
            guard let n = Int(text), n >= 0, n < location.instance.frames else { throw Refusal.notFound }
            access.frame = n
            guard let window = Self.window(request.query["window"]) else { throw Refusal.badRequest("window is C,W or auto") }
            guard let fit = Self.size(request.query["size"]) else { throw Refusal.badRequest("size is WxH, 1 to 4096 each") }
            return try Self.png(renderer.render(path: location.instance.path, frame: n, window: window, fit: fit))
        }
    }

    func download(_ request: HTTPRequest, study: String, series: String, instance uid: String) -> HTTPResponse {
        let access = ShareAccess(grantID: nil, studyUID: study, seriesUID: series, instanceUID: uid, endpoint: .instance, kind: .download,
                                 client: request.remoteAddress, status: 0, bytes: 0)
        return reported(access) { access in
            let grant = try authorize(request, &access, study: nil, series: nil, download: true)
            guard let location = index.instance(uid), location.study == study, location.series == series else { throw Refusal.notFound }
            _ = try authorize(request, &access, study: study, series: series, download: true, grant: grant)
            var st = stat()
            access.bytes = stat(location.instance.path, &st) == 0 ? Int(st.st_size) : 0
            var r = HTTPResponse(status: 200, body: .file(path: location.instance.path))
            r.headers.set("Content-Type", "application/dicom")
            r.headers.set("Content-Disposition", "attachment; filename=\"\(Self.safeFileName(uid)).dcm\"")
            return r
        }
    }

    // MARK: Authorization

    enum Refusal: Error {
        case grant(GrantRefusal)
        case notFound
        case badRequest(String)
    }

    /// Verifies the bearer token (or takes the grant verified before) and checks the request
    /// against it; fills in the access record's grant and study as they become known.
    func authorize(_ request: HTTPRequest, _ access: inout ShareAccess, study: String?, series: String?, download: Bool,
                   grant known: ShareGrant? = nil) throws(Refusal) -> ShareGrant {
        let grant: ShareGrant
        if let known {
            grant = known
        } else {
            guard let token = Self.bearerToken(request) else { throw .grant(.malformed("no bearer token in Authorization")) }
            switch verify(token) {
            case .success(let g): grant = g
            case .failure(let refusal):
                // The signature held (the grant is real but revoked, expired, early or used up):
                // record which grant was refused. Otherwise the claims are not to be trusted.
                switch refusal {
                case .revoked, .expired, .notYetValid, .usesExhausted: access.grantID = ShareToken.unverifiedGrant(token)?.id
                default: break
                }
                throw .grant(refusal)
            }
        }
        access.grantID = grant.id
        access.mode = grant.mode
        access.studyUID = study ?? grant.studyUID
        do throws(GrantRefusal) {
            try grant.authorize(study: study ?? grant.studyUID, series: series, download: download)
        } catch {
            throw .grant(error)
        }
        return grant
    }

    static func bearerToken(_ request: HTTPRequest) -> String? {
        guard let value = request.headers["Authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingSpaces
        return token.isEmpty ? nil : String(token)
    }

    /// Runs `body`; turns refusals and errors into their responses and reports the access.
    func reported(_ initial: ShareAccess, _ body: (inout ShareAccess) throws -> HTTPResponse) -> HTTPResponse {
        var access = initial
        let response: HTTPResponse
        do {
            response = try body(&access)
        } catch let refusal as Refusal {
            switch refusal {
            case .grant(let g):
                access.kind = .refused(reason: g.reason)
                response = Self.refusalResponse(g)
            case .notFound:
                access.kind = .refused(reason: "not-found")
                response = Self.error(404, "not-found")
            case .badRequest(let why):
                access.kind = .refused(reason: "bad-request")
                response = Self.error(400, "bad-request", detail: why)
            }
        } catch {
            response = Self.error(500, "cannot-render", detail: "\(error)")
        }
        access.status = response.status
        if access.kind != .download || response.status != 200 { access.bytes = response.bytes.count }
        onAccess(access)
        return response
    }

    /// 401 for a token that is not one of ours, 410 for an expired one, 403 for the rest.
    static func refusalStatus(_ refusal: GrantRefusal) -> Int {
        switch refusal {
        case .malformed, .unknownKey, .badSignature: 401
        case .expired: 410
        case .notYetValid, .revoked, .usesExhausted, .outOfScope: 403
        }
    }

    static func refusalResponse(_ refusal: GrantRefusal) -> HTTPResponse {
        var at: Date?
        switch refusal {
        case .expired(let d), .revoked(let d), .notYetValid(let d): at = d
        default: break
        }
        var r = error(refusalStatus(refusal), refusal.reason, at: at)
        if r.status == 401 { r.headers.set("WWW-Authenticate", "Bearer") }
        return r
    }

    // MARK: Responses

    static func error(_ status: Int, _ reason: String, detail: String? = nil, at: Date? = nil) -> HTTPResponse {
        var fields = ["error": reason]
        if let detail { fields["detail"] = detail }
        if let at { fields["at"] = ISO8601DateFormatter().string(from: at) }
        let body = (try? encoder.encode(fields)).map(Array.init) ?? Array(#"{"error":"internal"}"#.utf8)
        return .bytes(status, contentType: "application/json", body)
    }

    static func png(_ r: FrameRenderer.Rendered) -> HTTPResponse {
        var response = HTTPResponse.bytes(200, contentType: "image/png", r.png)
        if let w = r.window { response.headers.set("X-Window", "\(Self.number(w.center)),\(Self.number(w.width))") }
        return response
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    /// `auto` or absent: the file's window, else computed; `C,W`: that window (W > 0).
    static func window(_ text: String?) -> RenderOptions.Window? {
        guard let text, text != "auto" else { return .automatic }
        let parts = text.split(separator: ",")
        guard parts.count == 2, let c = Double(parts[0]), let w = Double(parts[1]), c.isFinite, w.isFinite, w >= 1 else { return nil }
        return .explicit(center: c, width: w)
    }

    /// Absent: no scaling (outer nil); `WxH`: fit in that box.
    static func size(_ text: String?) -> (width: Int, height: Int)?? {
        guard let text else { return .some(nil) }
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), (1...4096).contains(w), (1...4096).contains(h) else { return nil }
        return .some((w, h))
    }

    static func safeFileName(_ uid: String) -> String {
        String(uid.filter { $0.isASCII && ($0.isNumber || $0 == ".") }.prefix(64))
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    /// The manifest of `GET /api/study`: the series the grant covers, no paths.
    struct Manifest: Encodable {
        struct Series: Encodable {
            var uid: String
            var number: Int?
            var modality: String?
            var description: String?
            var instances: [Instance]
        }
        struct Instance: Encodable {
            var uid: String
            var number: Int?
            var frames: Int
            var rows: Int
            var columns: Int
        }
        var studyUID: String
        var description: String?
        var date: String?
        var scope: String
        var expires: Date
        var series: [Series]

        init(_ study: StudyIndex.Study, grant: ShareGrant) {
            studyUID = study.uid
            description = study.description
            date = study.date
            scope = grant.scope.rawValue
            expires = grant.expires
            series = study.series.filter { grant.covers(series: $0.uid) }.map { s in
                Series(uid: s.uid, number: s.number, modality: s.modality, description: s.description,
                       instances: s.instances.map { Instance(uid: $0.uid, number: $0.number, frames: $0.frames, rows: $0.rows, columns: $0.columns) })
            }
        }
    }
}
