// The versions an app names (GitVersion, DirtyVersionPolicy) are the vocabulary both halves share,
// so they live in VersionRegistration; re-exported here, as swift-nio's umbrella modules do, an app
// that imports GitVersioning names them without importing the registration half, whose other API
// is `package`.
@_exported import VersionRegistration
