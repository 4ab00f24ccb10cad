import Foundation
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of a real server that holds every chunk a client sends
/// for `delay` before passing it on: the real server, answering slowly (what a real MLflow
/// server does not do on demand). Stops listening when the object goes away; connections end
/// when either side closes.
package final class SlowProxy: Sendable {
  package let port: Int
  private let listener: Int32

  /// Listens on a free port and forwards to `127.0.0.1:upstreamPort`.
  package init(upstreamPort: Int, delay: Duration) throws {
    let (listener, port) = try loopbackListener(for: "the slow proxy")
    self.listener = listener
    self.port = port
    let pause = useconds_t(delay.components.seconds * 1_000_000 + delay.components.attoseconds / 1_000_000_000_000)
    Thread.detachNewThread {
      while true {
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return }
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var upstream = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &upstream) { pointer in
          pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
          }
        }
        guard connected else {
          close(client)
          close(server)
          continue
        }
        Thread.detachNewThread { Self.pump(from: client, to: server, pause: pause) }
        Thread.detachNewThread { Self.pump(from: server, to: client, pause: 0) }
      }
    }
  }

  deinit {
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
  }

  /// `http://127.0.0.1:<port>`.
  package var url: String { "http://127.0.0.1:\(port)" }

  private static func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return address
  }

  /// Copies `source` to `destination`, sleeping `pause` µs before each chunk, until either
  /// side closes; then closes both directions.
  private static func pump(from source: Int32, to destination: Int32, pause: useconds_t) {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
      guard count > 0 else { break }
      if pause > 0 { usleep(pause) }
      var sent = 0
      while sent < count {
        let written = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
        guard written > 0 else { break }
        sent += written
      }
      guard sent == count else { break }
    }
    shutdown(source, Int32(SHUT_RDWR))
    shutdown(destination, Int32(SHUT_RDWR))
    // Both pumps of a connection shut both sockets down; the one that ends last closes them.
    closeOnce(source, destination)
  }

  /// Connections one of whose pumps has ended.
  private static let halfEnded = Mutex<Set<[Int32]>>([])

  private static func closeOnce(_ a: Int32, _ b: Int32) {
    let pair = [min(a, b), max(a, b)]
    let last = halfEnded.withLock { ended in
      if ended.remove(pair) != nil { return true }
      ended.insert(pair)
      return false
    }
    if last {
      close(a)
      close(b)
    }
  }
}
