import CCurl
import LocalFiles

/// libcurl, opened with `dlopen` on the first request of the process (see `Sources/CCurl/shim.h`):
/// linking it would load it and ~30 libraries at every start of every program using this module.
///
/// Immutable once loaded, so it is safe to share between threads (the `@unchecked` is for the
/// C pointer to the function table, which is written once by `ccurl_load`).
final class CurlLibrary: @unchecked Sendable {
  /// The loaded function table. Never freed: libcurl stays loaded for the life of the process.
  let api: UnsafeMutablePointer<ccurl_api>

  /// The oldest libcurl with everything used here (`curl_multi_poll`, `curl_multi_wakeup`): 7.68.
  static let minimumVersion: UInt32 = 0x07_44_00

  /// The process's libcurl, loaded and initialized once; or why it cannot be used.
  static let shared: Result<CurlLibrary, TransportFailure> = load()

  private init(api: UnsafeMutablePointer<ccurl_api>) { self.api = api }

  private static func load() -> Result<CurlLibrary, TransportFailure> {
    if StaticExecutable.isCurrentProcess {
      return .failure(.cannotSend(
        "this program is a static executable, which cannot load libcurl safely (the loaded library would get a "
          + "C library of its own); link it dynamically to talk HTTP"))
    }
    let api = UnsafeMutablePointer<ccurl_api>.allocate(capacity: 1)
    api.initialize(to: ccurl_api())
    var error = [CChar](repeating: 0, count: 512)
    guard ccurl_load(api, &error, error.count) == 1 else {
      let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      return .failure(.cannotSend(
        "libcurl cannot be loaded (\(reason)); install libcurl 7.68 or later (Debian: apt-get install libcurl4)"))
    }
    if let info = api.pointee.version_info(CURLVERSION_FIRST), info.pointee.version_num < minimumVersion {
      let version = info.pointee.version.map { String(cString: $0) } ?? "?"
      return .failure(.cannotSend("libcurl \(version) is too old; install libcurl 7.68 or later"))
    }
    return .success(CurlLibrary(api: api))
  }

  /// libcurl's description of `code`, e.g. `Couldn't connect to server`.
  func describe(_ code: CURLcode) -> String {
    api.pointee.easy_strerror(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
  }
}
