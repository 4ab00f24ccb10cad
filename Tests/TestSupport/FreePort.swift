import Foundation

/// A TCP port on 127.0.0.1 that nothing listens on right now.
package func freePort() throws -> Int {
  let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  defer { close(descriptor) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  address.sin_port = 0
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let bound = withUnsafeMutablePointer(to: &address) { pointer in
    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
      bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
    }
  }
  guard bound else { throw TestFailure("cannot bind a free port") }
  return Int(UInt16(bigEndian: address.sin_port))
}

/// A TCP socket listening on a free port of 127.0.0.1: its descriptor and port. `label` names
/// the server in the error when it cannot listen.
package func loopbackListener(for label: String) throws -> (descriptor: Int32, port: Int) {
  let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  var reuse: Int32 = 1
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let listening = withUnsafeMutablePointer(to: &address) { pointer in
    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
      bind(listener, socketAddress, length) == 0 && listen(listener, 64) == 0
        && getsockname(listener, socketAddress, &length) == 0
    }
  }
  guard listening else {
    let reason = String(cString: strerror(errno))
    close(listener)
    throw TestFailure("\(label) cannot listen: \(reason)")
  }
  return (listener, Int(UInt16(bigEndian: address.sin_port)))
}
