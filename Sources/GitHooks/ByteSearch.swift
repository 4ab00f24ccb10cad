#if canImport(Glibc)
import Glibc
#endif

extension Collection<UInt8> {
  /// Whether `needle` occurs in these bytes. A `memchr`/`memcmp` scan: the standard library's
  /// generic `contains(_:)` of a collection compares element by element through generics, far
  /// too slow for the check an app start makes.
  func containsBytes(_ needle: [UInt8]) -> Bool {
    guard let first = needle.first else { return true }
    let found = withContiguousStorageIfAvailable { haystack -> Bool in
      guard let base = haystack.baseAddress, haystack.count >= needle.count else { return false }
      return needle.withUnsafeBufferPointer { pattern -> Bool in
        var offset = 0
        let last = haystack.count - needle.count
        while offset <= last {
          guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return false }
          let position = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
          if memcmp(base + position, pattern.baseAddress!, needle.count) == 0 { return true }
          offset = position + 1
        }
        return false
      }
    }
    return found ?? Array(self).containsBytes(needle)
  }
}
