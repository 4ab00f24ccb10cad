import MLflowStore

/// A finished trace and the store it goes to, as bytes: what the exporter's queue holds (so the
/// queue's byte bound is a bound on its memory), and what the trace journal's segment files are
/// made of, one record after another (so spilling a trace is copying its bytes).
///
/// A record is a 16-byte header — the magic `MGT1`, the body's length (4 bytes) and a checksum
/// of the body (8 bytes), little-endian — then the body: the tracking URI, the experiment name
/// (optional), and the trace, every string as its UTF-8 length (LEB128) and bytes. The checksum
/// lets a reader stop at a record a crash left half-written or zeroed.
struct TraceRecord: Sendable {
  /// The whole record, header included.
  let bytes: [UInt8]

  static let headerSize = 16
  private static let magic: [UInt8] = Array("MGT1".utf8)

  /// What a record holds.
  struct Contents: Sendable {
    var trackingURI: String
    /// The experiment to store the trace in when the trace has no experiment ID (see
    /// ``TraceDestination/experimentName``).
    var experimentName: String?
    var trace: Trace
  }

  init(bytes: [UInt8]) { self.bytes = bytes }

  init(trace: Trace, trackingURI: String, experimentName: String?) {
    var writer = Writer(capacity: estimatedSize(of: trace) + trackingURI.utf8.count + 64)
    writer.bytes.append(contentsOf: TraceRecord.magic)
    writer.bytes.append(contentsOf: repeatElement(0, count: TraceRecord.headerSize - TraceRecord.magic.count))
    writer.string(trackingURI)
    writer.optional(experimentName)
    writer.trace(trace)
    let bodyLength = writer.bytes.count - TraceRecord.headerSize
    let checksum = writer.bytes.withUnsafeBytes { TraceRecord.checksum(UnsafeRawBufferPointer(rebasing: $0[TraceRecord.headerSize...])) }
    writer.bytes.withUnsafeMutableBytes { header in
      header.storeBytes(of: UInt32(bodyLength).littleEndian, toByteOffset: 4, as: UInt32.self)
      header.storeBytes(of: checksum.littleEndian, toByteOffset: 8, as: UInt64.self)
    }
    bytes = writer.bytes
  }

  /// The record's contents; `nil` when its bytes are not a whole, intact record.
  func decoded() -> Contents? {
    bytes.withUnsafeBytes { buffer in
      guard let length = TraceRecord.length(at: 0, in: buffer), length == buffer.count else { return nil }
      return TraceRecord.decode(UnsafeRawBufferPointer(rebasing: buffer[TraceRecord.headerSize...]))
    }
  }

  /// The records one after another in `bytes` (a segment file's content), as ranges of
  /// `bytes`, and whether something after the last intact one could not be read: a record
  /// with a wrong checksum or cut short.
  static func split(_ bytes: [UInt8]) -> (records: [Range<Int>], unreadable: Bool) {
    bytes.withUnsafeBytes { buffer in
      var records: [Range<Int>] = []
      var offset = 0
      while offset < buffer.count {
        guard let length = length(at: offset, in: buffer) else { return (records, true) }
        records.append(offset..<(offset + length))
        offset += length
      }
      return (records, false)
    }
  }

  /// Decodes the record at `range` of `bytes` (a range ``split(_:)`` returned).
  static func decode(_ bytes: [UInt8], at range: Range<Int>) -> Contents? {
    bytes.withUnsafeBytes { buffer in
      decode(UnsafeRawBufferPointer(rebasing: buffer[(range.lowerBound + headerSize)..<range.upperBound]))
    }
  }

  /// The length of the intact record at `offset`, header included; `nil` when there is none.
  private static func length(at offset: Int, in buffer: UnsafeRawBufferPointer) -> Int? {
    guard buffer.count - offset >= headerSize,
      magic.indices.allSatisfy({ buffer[offset + $0] == magic[$0] })
    else { return nil }
    let body = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)))
    let stored = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
    guard body <= buffer.count - offset - headerSize else { return nil }
    let start = offset + headerSize
    guard checksum(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + body)])) == stored else { return nil }
    return headerSize + body
  }

  private static func decode(_ body: UnsafeRawBufferPointer) -> Contents? {
    var reader = Reader(buffer: body)
    guard let trackingURI = reader.string(), let experimentName = reader.optionalString(), let trace = reader.trace(),
      reader.atEnd
    else { return nil }
    return Contents(trackingURI: trackingURI, experimentName: experimentName, trace: trace)
  }

  /// FNV-1a over 8-byte words (then the last bytes one at a time): a check against torn or
  /// zeroed writes, not against tampering.
  static func checksum(_ buffer: UnsafeRawBufferPointer) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    let prime: UInt64 = 0x0000_0100_0000_01b3
    let words = buffer.count / 8
    for index in 0..<words {
      hash = (hash ^ buffer.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) &* prime
      hash ^= hash >> 29
    }
    for index in (words * 8)..<buffer.count {
      hash = (hash ^ UInt64(buffer[index])) &* prime
    }
    return hash
  }

  private struct Writer {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func length(_ value: Int) {
      var value = UInt(value)
      while value >= 0x80 {
        bytes.append(UInt8(value & 0x7f) | 0x80)
        value >>= 7
      }
      bytes.append(UInt8(value))
    }

    mutating func string(_ text: String) {
      var text = text
      text.withUTF8 { utf8 in
        length(utf8.count)
        bytes.append(contentsOf: utf8)
      }
    }

    mutating func optional(_ text: String?) {
      bytes.append(text == nil ? 0 : 1)
      if let text { string(text) }
    }

    mutating func integer(_ value: Int64) {
      withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func optional(_ value: Int64?) {
      bytes.append(value == nil ? 0 : 1)
      if let value { integer(value) }
    }

    mutating func map(_ entries: [String: String]) {
      length(entries.count)
      for (key, value) in entries {
        string(key)
        string(value)
      }
    }

    mutating func trace(_ trace: Trace) {
      let info = trace.info
      string(info.traceID)
      string(info.experimentID)
      integer(info.requestTime)
      optional(info.executionDuration)
      string(info.state.rawValue)
      optional(info.requestPreview)
      optional(info.responsePreview)
      optional(info.clientRequestID)
      map(info.metadata)
      map(info.tags)
      length(trace.spans.count)
      for span in trace.spans {
        string(span.traceID == info.traceID ? "" : span.traceID)
        string(span.spanID)
        optional(span.parentSpanID)
        string(span.name)
        string(span.type.rawValue)
        string(span.status.code.rawValue)
        string(span.status.message)
        integer(span.startTime)
        optional(span.endTime)
        map(span.attributes)
        length(span.events.count)
        for event in span.events {
          string(event.name)
          integer(event.time)
          map(event.attributes)
        }
      }
    }
  }

  /// Reads a body; every read returns `nil` past the end or on a malformed value.
  private struct Reader {
    let buffer: UnsafeRawBufferPointer
    var offset = 0

    init(buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var atEnd: Bool { offset == buffer.count }

    mutating func byte() -> UInt8? {
      guard offset < buffer.count else { return nil }
      defer { offset += 1 }
      return buffer[offset]
    }

    mutating func length() -> Int? {
      var value = 0
      var shift = 0
      while let byte = byte() {
        value |= Int(byte & 0x7f) << shift
        if byte < 0x80 { return value <= buffer.count ? value : nil }
        shift += 7
        if shift > 56 { return nil }
      }
      return nil
    }

    mutating func string() -> String? {
      guard let count = length(), count <= buffer.count - offset else { return nil }
      defer { offset += count }
      return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)]), as: UTF8.self)
    }

    mutating func optionalString() -> String?? {
      switch byte() {
      case 0: return .some(nil)
      case 1: return string().map { .some($0) }
      default: return nil
      }
    }

    mutating func integer() -> Int64? {
      guard buffer.count - offset >= 8 else { return nil }
      defer { offset += 8 }
      return Int64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }

    mutating func optionalInteger() -> Int64?? {
      switch byte() {
      case 0: return .some(nil)
      case 1: return integer().map { .some($0) }
      default: return nil
      }
    }

    mutating func map() -> [String: String]? {
      guard let count = length() else { return nil }
      var entries = [String: String](minimumCapacity: count)
      for _ in 0..<count {
        guard let key = string(), let value = string() else { return nil }
        entries[key] = value
      }
      return entries
    }

    mutating func trace() -> Trace? {
      guard let traceID = string(), let experimentID = string(), let requestTime = integer(),
        let executionDuration = optionalInteger(), let state = string(), let requestPreview = optionalString(),
        let responsePreview = optionalString(), let clientRequestID = optionalString(), let metadata = map(),
        let tags = map(), let spanCount = length()
      else { return nil }
      var spans: [Span] = []
      spans.reserveCapacity(spanCount)
      for _ in 0..<spanCount {
        guard let spanTraceID = string(), let spanID = string(), let parentSpanID = optionalString(), let name = string(),
          let type = string(), let code = string(), let message = string(), let startTime = integer(),
          let endTime = optionalInteger(), let attributes = map(), let eventCount = length()
        else { return nil }
        var events: [Span.Event] = []
        events.reserveCapacity(eventCount)
        for _ in 0..<eventCount {
          guard let eventName = string(), let time = integer(), let eventAttributes = map() else { return nil }
          events.append(Span.Event(name: eventName, time: time, attributes: eventAttributes))
        }
        spans.append(
          Span(
            traceID: spanTraceID.isEmpty ? traceID : spanTraceID, spanID: spanID, parentSpanID: parentSpanID, name: name,
            type: Span.SpanType(rawValue: type), status: Span.Status(Span.Status.Code(rawValue: code), message: message),
            startTime: startTime, endTime: endTime, attributes: attributes, events: events))
      }
      return Trace(
        info: TraceInfo(
          traceID: traceID, experimentID: experimentID, requestTime: requestTime, executionDuration: executionDuration,
          state: TraceState(rawValue: state), requestPreview: requestPreview, responsePreview: responsePreview,
          clientRequestID: clientRequestID, metadata: metadata, tags: tags),
        spans: spans)
    }
  }
}
