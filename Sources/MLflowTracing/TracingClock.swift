#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time in nanoseconds since the Unix epoch, the unit of span timestamps.
enum TracingClock {
  static func nowNanoseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
  }

  static func nowMilliseconds() -> Int64 { nowNanoseconds() / 1_000_000 }
}
