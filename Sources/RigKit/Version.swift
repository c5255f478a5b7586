/// Rig's version, shown by `rig --version` and recorded in artifacts.
public enum RigVersion {
  public static let string = "0.1.0"
}
