/// How cmr names itself in the files and associations it makes.
public enum Implementation {
    /// Implementation Class UID (0002,0012): a UUID-derived UID (PS3.5 §B.2), fixed for cmr.
    public static let classUID = "2.25.177611678941949258235987530546480470545"
    /// Implementation Version Name (0002,0013): at most 16 characters.
    public static let versionName = "CMR_0.1.0"
    /// cmr's version.
    public static let version = "0.1.0"
}
