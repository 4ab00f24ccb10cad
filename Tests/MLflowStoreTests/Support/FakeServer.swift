import Foundation

#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import TestSupport

/// A small HTTP/1.1 server on 127.0.0.1 for what a real MLflow server will not do: answer
/// 503s, fail a create, send HTML or broken JSON, or never answer. Each answer goes out in one
/// `write` with Nagle's algorithm off, so keep-alive requests take no 40 ms delayed-ACK stall.
final class FakeServer: Sendable {
  /// One request as received.
  struct Request: Sendable {
    let method: String
    let path: String
    let headers: [String: String]
    let body: String
    /// When it arrived.
    let receivedAt: ContinuousClock.Instant
  }

  /// What to do with a request.
  enum Action: Sendable {
    /// Answer with a status, extra headers and a body.
    case respond(status: Int, headers: [String: String] = [:], body: String)
    /// Send these bytes as they are, then close the connection.
    case raw(String)
    /// Read the request and never answer (until the client gives up).
    case hang
  }

  let port: Int
  private let listener: Int32
  private let received = Mutex<[Request]>([])
  private let hung = Mutex<[Duration]>([])
  private let accepted = Atomic<Int>(0)
  private let handler: @Sendable (_ index: Int, _ request: Request) -> Action

  /// Starts listening; `handler` decides the answer to the request with 0-based `index`.
  init(_ handler: @escaping @Sendable (_ index: Int, _ request: Request) -> Action) throws {
    self.handler = handler
    let (listener, port) = try loopbackListener(for: "the fake server")
    self.listener = listener
    self.port = port
    Thread.detachNewThread { [self] in
      while true {
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        self.accepted.add(1, ordering: .relaxed)
        Thread.detachNewThread { self.serve(connection) }
      }
    }
  }

  deinit {
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
  }

  /// `http://127.0.0.1:<port>`.
  var url: String { "http://127.0.0.1:\(port)" }

  /// How many connections clients opened so far.
  var connections: Int { accepted.load(ordering: .relaxed) }

  /// The requests received so far.
  var requests: [Request] { received.withLock { $0 } }

  /// For each `.hang` request, how long the client waited before closing the connection:
  /// measured here, so a busy test process cannot distort it.
  var hangDurations: [Duration] { hung.withLock { $0 } }

  private func serve(_ connection: Int32) {
    defer { close(connection) }
    var noDelay: Int32 = 1
    setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
    var buffer: [UInt8] = []
    while let request = readRequest(connection, &buffer) {
      let index = received.withLock { requests -> Int in
        requests.append(request)
        return requests.count - 1
      }
      switch handler(index, request) {
      case .respond(let status, let headers, let body):
        var head = "HTTP/1.1 \(status) Fake\r\nContent-Length: \(body.utf8.count)\r\n"
        if headers["Content-Type"] == nil { head += "Content-Type: application/json\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        guard send(connection, Array((head + "\r\n" + body).utf8)) else { return }
      case .raw(let bytes):
        _ = send(connection, Array(bytes.utf8))
        return
      case .hang:
        var byte: UInt8 = 0
        while recv(connection, &byte, 1, 0) > 0 {}
        hung.withLock { $0.append(ContinuousClock.now - request.receivedAt) }
        return
      }
    }
  }

  private func send(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
  }

  /// Reads one request (head and `Content-Length` body); `nil` when the client closed.
  private func readRequest(_ connection: Int32, _ buffer: inout [UInt8]) -> Request? {
    let separator: [UInt8] = Array("\r\n\r\n".utf8)
    var headEnd: Int?
    while true {
      if let end = buffer.firstRange(of: separator)?.lowerBound { headEnd = end }
      if let headEnd {
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
          guard let colon = line.firstIndex(of: ":") else { continue }
          headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        if buffer.count >= headEnd + 4 + length {
          let body = String(decoding: buffer[(headEnd + 4)..<(headEnd + 4 + length)], as: UTF8.self)
          buffer.removeFirst(headEnd + 4 + length)
          guard requestLine.count >= 2 else { return nil }
          return Request(
            method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body,
            receivedAt: .now)
        }
      }
      var chunk = [UInt8](repeating: 0, count: 65536)
      let count = recv(connection, &chunk, chunk.count, 0)
      guard count > 0 else { return nil }
      buffer += chunk[..<count]
    }
  }
}
