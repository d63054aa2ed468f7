extension ShareGrant {
    /// Whether a request for `study` (and `series`, when it names one) may be served under this
    /// grant; `download` asks for DICOM files rather than rendered frames. Throws `.outOfScope`
    /// with what was asked for. Signature, time and revocation are `ShareToken.verify`'s.
    public func authorize(study: String, series: String? = nil, download: Bool = false) throws(GrantRefusal) {
        guard study == studyUID else { throw .outOfScope("study \(study) is not the granted study") }
        if let series, !covers(series: series) { throw .outOfScope("series \(series) is not among the granted series") }
        if download, scope != .download { throw .outOfScope("download needs a grant with download scope; this one is view only") }
    }
}
