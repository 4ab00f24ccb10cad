/// How long traces took: each distinct duration in milliseconds with the number of traces that
/// took it (a frequency table), from which percentiles and histograms are exact.
///
/// **Percentiles** interpolate linearly between the two nearest ranks: for `n` sorted
/// durations `x[0] … x[n-1]` and a percent `p`, the position is `h = (n − 1) · p / 100`, and the
/// result `x[⌊h⌋] + (h − ⌊h⌋) · (x[⌊h⌋+1] − x[⌊h⌋])` (Hyndman & Fan's type 7; NumPy's default
/// `method="linear"`, Excel's `PERCENTILE.INC`). The arithmetic is NumPy's, so
/// `numpy.percentile(durations, p)` gives the same number.
///
/// # Usage
/// ```swift
/// let latency = LatencyDistribution(counts: [120: 3, 480: 1])
/// print(latency.percentile(50)!, latency.maximum!)   // 120.0 480
/// ```
package struct LatencyDistribution: Sendable, Hashable {
  /// One distinct duration and how many traces took it.
  package struct Bucket: Sendable, Hashable {
    package var milliseconds: Int64
    package var count: Int

    package init(milliseconds: Int64, count: Int) {
      self.milliseconds = milliseconds
      self.count = count
    }
  }

  /// The distinct durations, shortest first.
  package private(set) var buckets: [Bucket]

  /// A distribution from durations and their counts.
  package init(counts: [Int64: Int] = [:]) {
    buckets = counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { Bucket(milliseconds: $0.key, count: $0.value) }
  }

  /// A distribution from one duration per trace.
  package init(durations: [Int64]) {
    self.init(counts: durations.reduce(into: [:]) { $0[$1, default: 0] += 1 })
  }

  /// How many durations it holds.
  package var count: Int { buckets.reduce(0) { $0 + $1.count } }

  /// The shortest duration, or `nil` when empty.
  package var minimum: Int64? { buckets.first?.milliseconds }

  /// The longest duration, or `nil` when empty.
  package var maximum: Int64? { buckets.last?.milliseconds }

  /// Both distributions' durations together.
  package func merged(with other: LatencyDistribution) -> LatencyDistribution {
    var counts: [Int64: Int] = [:]
    for bucket in buckets + other.buckets { counts[bucket.milliseconds, default: 0] += bucket.count }
    return LatencyDistribution(counts: counts)
  }

  /// The `percent`-th percentile (0–100) by linear interpolation between the nearest ranks
  /// (see the type's documentation), or `nil` when empty.
  package func percentile(_ percent: Double) -> Double? {
    let total = count
    guard total > 0 else { return nil }
    let position = Double(total - 1) * (percent / 100)
    guard position < Double(total - 1) else { return Double(buckets[buckets.count - 1].milliseconds) }
    guard position > 0 else { return Double(buckets[0].milliseconds) }
    let lower = position.rounded(.down)
    let below = Double(value(atRank: Int(lower)))
    let above = Double(value(atRank: Int(lower) + 1))
    let weight = position - lower
    // NumPy's `_lerp`, step for step, so both give the same last bit.
    let difference = above - below
    return weight >= 0.5 ? above - difference * (1 - weight) : below + difference * weight
  }

  /// The duration at zero-based `rank` in sorted order.
  private func value(atRank rank: Int) -> Int64 {
    var seen = 0
    for bucket in buckets {
      seen += bucket.count
      if rank < seen { return bucket.milliseconds }
    }
    return buckets[buckets.count - 1].milliseconds
  }

  /// How many durations fall in each bin between consecutive `edges` (ascending): bin `i`
  /// holds `edges[i] ≤ d < edges[i+1]`, the last bin also its upper edge. Durations outside
  /// the edges are not counted.
  package func histogram(edges: [Double]) -> [Int] {
    guard edges.count >= 2 else { return [] }
    var bins = Array(repeating: 0, count: edges.count - 1)
    for bucket in buckets {
      let value = Double(bucket.milliseconds)
      guard value >= edges[0], value <= edges[edges.count - 1] else { continue }
      var index = edges.count - 2
      while index > 0 && value < edges[index] { index -= 1 }
      bins[index] += bucket.count
    }
    return bins
  }
}
