import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One request in progress: its easy handle's settings, and the answer's status line, headers
/// and body as libcurl hands them over. Used only on the ``TransferLoop``'s thread.
final class Transfer {
  let submission: Submission
  /// The easy handle (`CURL *`), owned by the loop's pool.
  let handle: UnsafeMutableRawPointer
  private let curl: CurlLibrary
  private var body: [UInt8] = []
  private var headers: [String: String] = [:]
  private var headerList: UnsafeMutablePointer<curl_slist>?
  /// libcurl's message for a failure (`CURLOPT_ERRORBUFFER`).
  private let errorBuffer: UnsafeMutablePointer<CChar>

  init(_ submission: Submission, handle: UnsafeMutableRawPointer, curl: CurlLibrary) {
    self.submission = submission
    self.handle = handle
    self.curl = curl
    errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
    errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
  }

  deinit {
    if let headerList { curl.api.pointee.slist_free_all(headerList) }
    errorBuffer.deallocate()
  }

  /// Applies the request to the (freshly reset) handle; a failure means it cannot be sent.
  func configure() -> TransportFailure? {
    let request = submission.request
    let api = curl.api
    guard request.url.hasPrefix("http://") || request.url.hasPrefix("https://"),
      !request.url.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F })
    else {
      return .cannotSend("'\(request.url.prefix(200))' is not an http:// or https:// URL without spaces")
    }
    let milliseconds = max(1, Self.milliseconds(request.timeout))
    var code = CURLE_OK
    func set(_ option: CURLoption, _ value: Int) { if code == CURLE_OK { code = ccurl_setopt_long(api, handle, option, value) } }
    func set(_ option: CURLoption, _ value: String?) {
      if code == CURLE_OK { code = ccurl_setopt_string(api, handle, option, value) }
    }
    set(CURLOPT_URL, request.url)
    set(CURLOPT_NOSIGNAL, 1)
    set(CURLOPT_TIMEOUT_MS, milliseconds)
    set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds)
    set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1)
    set(CURLOPT_FOLLOWLOCATION, 1)
    set(CURLOPT_MAXREDIRS, 30)
    if code == CURLE_OK { code = ccurl_setopt_pointer(api, handle, CURLOPT_ERRORBUFFER, errorBuffer) }
    // Only http and https, also when redirected (CURLOPT_*_STR: libcurl 7.85; older ones keep their defaults).
    for option in [CURLOPT_PROTOCOLS_STR, CURLOPT_REDIR_PROTOCOLS_STR] {
      _ = ccurl_setopt_string(api, handle, option, "http,https")
    }
    switch request.method {
    case "GET": set(CURLOPT_HTTPGET, 1)
    case "HEAD": set(CURLOPT_NOBODY, 1)
    case "POST": set(CURLOPT_POST, 1)
    default: set(CURLOPT_CUSTOMREQUEST, request.method)
    }
    if request.body != nil || request.method == "POST" {
      let body = request.body ?? []
      if code == CURLE_OK { code = ccurl_setopt_off(api, handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) }
      if code == CURLE_OK {
        code = body.isEmpty
          ? ccurl_setopt_string(api, handle, CURLOPT_COPYPOSTFIELDS, "")
          : body.withUnsafeBytes { bytes in
            // libcurl copies the bytes (COPYPOSTFIELDS) before this returns.
            ccurl_setopt_pointer(api, handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
          }
      }
    }
    if let failure = configureTLS(request.tls, &code) { return failure }
    if let failure = configureHeaders(request) { return failure }
    if code == CURLE_OK { code = ccurl_setopt_pointer(api, handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList)) }
    let context = Unmanaged.passUnretained(self).toOpaque()
    if code == CURLE_OK { code = ccurl_setopt_pointer(api, handle, CURLOPT_WRITEDATA, context) }
    if code == CURLE_OK { code = ccurl_setopt_pointer(api, handle, CURLOPT_HEADERDATA, context) }
    if code == CURLE_OK {
      code = ccurl_setopt_callback(api, handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
        let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
        transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: size * count))
        return size * count
      }
    }
    if code == CURLE_OK {
      code = ccurl_setopt_callback(api, handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
        let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
        transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
        return size * count
      }
    }
    return code == CURLE_OK ? nil : .cannotSend("libcurl refused an option: \(curl.describe(code))")
  }

  private func configureTLS(_ tls: TLSOptions, _ code: inout CURLcode) -> TransportFailure? {
    let api = curl.api
    func set(_ option: CURLoption, _ value: Int) { if code == CURLE_OK { code = ccurl_setopt_long(api, handle, option, value) } }
    func set(_ option: CURLoption, _ value: String?) {
      if code == CURLE_OK { code = ccurl_setopt_string(api, handle, option, value) }
    }
    switch tls.verification {
    case .system:
      break
    case .insecure:
      set(CURLOPT_SSL_VERIFYPEER, 0)
      set(CURLOPT_SSL_VERIFYHOST, 0)
    case .certificateAuthority(let path):
      // As `requests` does with `verify=path`: a directory is a hashed CA directory, else a
      // bundle; either way the only authorities trusted.
      var status = stat()
      if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
        set(CURLOPT_CAINFO, nil)
        set(CURLOPT_CAPATH, path)
      } else {
        set(CURLOPT_CAINFO, path)
        set(CURLOPT_CAPATH, nil)
      }
    }
    if let certificate = tls.clientCertificatePath {
      set(CURLOPT_SSLCERT, certificate)
      set(CURLOPT_SSLCERTTYPE, "PEM")
      set(CURLOPT_SSLKEY, certificate)
      set(CURLOPT_SSLKEYTYPE, "PEM")
    }
    return nil
  }

  private func configureHeaders(_ request: HTTPRequest) -> TransportFailure? {
    var lines: [String] = []
    var names: Set<String> = []
    for (name, value) in request.headers {
      guard !name.isEmpty, !name.utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: ":") || $0 == 0x7F }),
        !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 })
      else {
        return .cannotSend("the header '\(name.prefix(100))' has a name or value HTTP cannot carry")
      }
      names.insert(name.lowercased())
      // "Name:" removes a header; "Name;" sends it empty.
      lines.append(value.isEmpty ? name + ";" : name + ": " + value)
    }
    // No `Expect: 100-continue` wait before larger bodies, and no form content type by default.
    if !names.contains("expect") { lines.append("Expect:") }
    if !names.contains("content-type") { lines.append("Content-Type:") }
    for line in lines {
      guard let list = curl.api.pointee.slist_append(headerList, line) else {
        return .cannotSend("out of memory for the request's headers")
      }
      headerList = list
    }
    return nil
  }

  /// One header line (or status line) of the answer. A status line starts a new answer
  /// (after a redirect or `100 Continue`), so what came before is dropped.
  private func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
    var line = Substring(String(decoding: bytes, as: UTF8.self))
    // "\r\n" is one Character (a grapheme cluster), so test for newlines, not for "\r" and "\n".
    while let last = line.last, last.isNewline || last == " " || last == "\t" { line.removeLast() }
    if line.hasPrefix("HTTP/") {
      headers = [:]
      body = []
      return
    }
    guard let colon = line.firstIndex(of: ":") else { return }
    let name = line[..<colon].lowercased()
    let value = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
    headers[name] = headers[name].map { $0 + ", " + value } ?? value
  }

  /// The answer, or why there is none, once libcurl finished with `code`.
  func result(_ code: CURLcode) -> Result<HTTPResponse, TransportFailure> {
    let api = curl.api
    guard code == CURLE_OK else {
      let message = String(cString: errorBuffer)
      var sent = 0
      _ = ccurl_getinfo_long(api, handle, CURLINFO_REQUEST_SIZE, &sent)
      var handshake: curl_off_t = 0
      _ = ccurl_getinfo_off(api, handle, CURLINFO_APPCONNECT_TIME_T, &handshake)
      return .failure(CurlFailure.failure(
        code, detail: message.isEmpty ? curl.describe(code) : message, bytesSent: sent, afterHandshake: handshake > 0))
    }
    var status = 0
    _ = ccurl_getinfo_long(api, handle, CURLINFO_RESPONSE_CODE, &status)
    guard status > 0 else { return .failure(.interrupted("the answer was not HTTP")) }
    return .success(HTTPResponse(status: status, headers: headers, body: body))
  }

  /// `duration` in whole milliseconds, rounded up.
  static func milliseconds(_ duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    let (whole, rest) = attoseconds.quotientAndRemainder(dividingBy: 1_000_000_000_000_000)
    return Int(seconds) * 1000 + Int(whole) + (rest > 0 ? 1 : 0)
  }
}
