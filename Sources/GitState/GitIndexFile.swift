#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entries of a Git index file (`<git dir>/index`), read without `git`: versions 2, 3 and 4
/// (prefix-compressed paths), each entry's stat data, mode, object id and flags, the list of
/// extensions, and the trailing checksum.
///
/// Anything outside the documented format (Documentation/gitformat-index) is a ``ParseError``;
/// the reader makes no guess. Extensions are listed, not interpreted: the caller decides which
/// ones it can live with. The checksum is not verified (git itself only does so in `git fsck`).
struct GitIndexFile: Sendable {
  /// One index entry. Stat fields are git's 32-bit on-disk values (truncated, as git stores them).
  struct Entry: Sendable, Hashable {
    var ctimeSeconds: UInt32
    var ctimeNanoseconds: UInt32
    var mtimeSeconds: UInt32
    var mtimeNanoseconds: UInt32
    var device: UInt32
    var inode: UInt32
    /// Object type and permission bits: `0o100644`, `0o100755`, `0o120000` (symbolic link),
    /// `0o160000` (gitlink, a submodule's commit).
    var mode: UInt32
    var uid: UInt32
    var gid: UInt32
    var size: UInt32
    /// Assume-valid (bit 15), extended (14), stage (13–12), name length (11–0).
    var flags: UInt16
    /// Skip-worktree (bit 14) and intent-to-add (bit 13); zero when the entry has none.
    var extendedFlags: UInt16
    /// Where the object id starts in ``GitIndexFile/bytes``.
    var objectIDOffset: Int
    /// Where the path is in ``GitIndexFile/names``.
    var nameRange: Range<Int>

    /// 0 for a normal entry; 1–3 for the base, ours and theirs of an unresolved conflict.
    var stage: Int { Int(flags >> 12) & 3 }
    /// `git update-index --assume-unchanged`: git takes the work-tree file as unchanged.
    var isAssumedValid: Bool { flags & 0x8000 != 0 }
    /// `git update-index --skip-worktree` or sparse checkout: the file is not in the work tree.
    var isSkipWorktree: Bool { extendedFlags & 0x4000 != 0 }
    /// `git add --intent-to-add`: a path recorded with no content yet.
    var isIntentToAdd: Bool { extendedFlags & 0x2000 != 0 }
  }

  /// Why the bytes are not an index this reader understands.
  enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    case tooShort
    case badSignature
    case unsupportedVersion(UInt32)
    case badEntry(index: Int, reason: String)
    case badExtension(offset: Int)

    var description: String {
      switch self {
      case .tooShort: "shorter than a header and a checksum"
      case .badSignature: "no DIRC signature"
      case .unsupportedVersion(let version): "index version \(version)"
      case .badEntry(let index, let reason): "entry \(index): \(reason)"
      case .badExtension(let offset): "malformed extension at byte \(offset)"
      }
    }
  }

  /// The whole file.
  let bytes: [UInt8]
  /// 2, 3 or 4.
  let version: UInt32
  /// Bytes in an object id and in the checksum: 20 (SHA-1) or 32 (SHA-256).
  let hashSize: Int
  let entries: [Entry]
  /// Every entry's path, back to back (see ``Entry/nameRange``).
  let names: [UInt8]
  /// Extension signatures in file order (`TREE`, `REUC`, `UNTR`, `link`, `sdir`, `FSMN`, …).
  let extensions: [String]

  /// The hash over the rest of the file that ends it (all zero when `index.skipHash` is set).
  var checksum: ArraySlice<UInt8> { bytes[(bytes.count - hashSize)...] }

  /// The path of `entry`, relative to the top of the work tree.
  func name(of entry: Entry) -> ArraySlice<UInt8> { names[entry.nameRange] }

  /// The object id of `entry`.
  func objectID(of entry: Entry) -> ArraySlice<UInt8> { bytes[entry.objectIDOffset..<entry.objectIDOffset + hashSize] }

  /// Parses a whole index file.
  ///
  /// - Parameter hashSize: 20 for SHA-1 repositories, 32 for SHA-256 ones.
  init(bytes: [UInt8], hashSize: Int) throws(ParseError) {
    let parsed = bytes.withUnsafeBufferPointer { buffer in GitIndexFile.parse(buffer, hashSize: hashSize) }
    let (version, entries, names, extensions) = try parsed.get()
    self.bytes = bytes
    self.version = version
    self.hashSize = hashSize
    self.entries = entries
    self.names = names
    self.extensions = extensions
  }

  private typealias Parsed = (version: UInt32, entries: [Entry], names: [UInt8], extensions: [String])

  private static func parse(_ buffer: UnsafeBufferPointer<UInt8>, hashSize: Int) -> Result<Parsed, ParseError> {
    let headerSize = 12
    guard let base = buffer.baseAddress, buffer.count >= headerSize + hashSize else { return .failure(.tooShort) }
    let raw = UnsafeRawPointer(base)
    func word(_ offset: Int) -> UInt32 { UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    func half(_ offset: Int) -> UInt16 { UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }

    guard word(0) == 0x4449_5243 else { return .failure(.badSignature) }  // "DIRC"
    let version = word(4)
    guard (2...4).contains(version) else { return .failure(.unsupportedVersion(version)) }
    let count = Int(word(8))
    let limit = buffer.count - hashSize  // entries and extensions end here
    let fixedSize = 40 + hashSize + 2  // stat data, object id, flags
    guard count <= (limit - headerSize) / (fixedSize + 1) else {
      return .failure(.badEntry(index: 0, reason: "the header claims \(count) entries"))
    }

    var entries: [Entry] = []
    entries.reserveCapacity(count)
    var names: [UInt8] = []
    names.reserveCapacity(count * 24)
    var previousName: [UInt8] = []  // version 4 compresses each path against the one before
    var offset = headerSize
    for index in 0..<count {
      guard offset + fixedSize <= limit else { return .failure(.badEntry(index: index, reason: "truncated")) }
      let flags = half(offset + 40 + hashSize)
      var nameOffset = offset + fixedSize
      var extendedFlags: UInt16 = 0
      if flags & 0x4000 != 0 {
        guard version >= 3 else { return .failure(.badEntry(index: index, reason: "extended flags in a version 2 index")) }
        guard nameOffset + 2 <= limit else { return .failure(.badEntry(index: index, reason: "truncated")) }
        extendedFlags = half(nameOffset)
        guard extendedFlags & ~0x6000 == 0 else {
          return .failure(.badEntry(index: index, reason: "unknown extended flags \(extendedFlags)"))
        }
        nameOffset += 2
      }
      let lengthField = Int(flags & 0x0FFF)
      let nameStart = names.count

      if version == 4 {
        guard let (strip, afterVarint) = decodeVarint(base, from: nameOffset, limit: limit), strip <= previousName.count else {
          return .failure(.badEntry(index: index, reason: "bad path prefix length"))
        }
        guard afterVarint < limit, let terminator = memchr(base + afterVarint, 0, limit - afterVarint) else {
          return .failure(.badEntry(index: index, reason: "unterminated path"))
        }
        let suffixLength = UnsafeRawPointer(terminator) - UnsafeRawPointer(base + afterVarint)
        previousName.removeLast(strip)
        previousName.append(contentsOf: UnsafeBufferPointer(start: base + afterVarint, count: suffixLength))
        guard lengthField == 0x0FFF ? previousName.count >= 0x0FFF : previousName.count == lengthField else {
          return .failure(.badEntry(index: index, reason: "path length does not match its flags"))
        }
        names.append(contentsOf: previousName)
        entries.append(Entry(raw: raw, at: offset, hashSize: hashSize, flags: flags, extendedFlags: extendedFlags,
          nameRange: nameStart..<names.count))
        offset = afterVarint + suffixLength + 1
      } else {
        var length = lengthField
        if length == 0x0FFF {
          guard let terminator = memchr(base + nameOffset, 0, limit - nameOffset) else {
            return .failure(.badEntry(index: index, reason: "unterminated path"))
          }
          length = UnsafeRawPointer(terminator) - UnsafeRawPointer(base + nameOffset)
        }
        guard nameOffset + length < limit, base[nameOffset + length] == 0,
          memchr(base + nameOffset, 0, length) == nil
        else { return .failure(.badEntry(index: index, reason: "path length does not match its flags")) }
        names.append(contentsOf: UnsafeBufferPointer(start: base + nameOffset, count: length))
        entries.append(Entry(raw: raw, at: offset, hashSize: hashSize, flags: flags, extendedFlags: extendedFlags,
          nameRange: nameStart..<names.count))
        // Entries are padded with 1–8 NULs to a multiple of eight bytes.
        offset += (nameOffset - offset + length + 8) & ~7
        guard offset <= limit else { return .failure(.badEntry(index: index, reason: "truncated")) }
      }
      guard names.count > nameStart else { return .failure(.badEntry(index: index, reason: "empty path")) }
    }

    var extensions: [String] = []
    while offset < limit {
      guard offset + 8 <= limit else { return .failure(.badExtension(offset: offset)) }
      let size = Int(word(offset + 4))
      guard size <= limit - offset - 8 else { return .failure(.badExtension(offset: offset)) }
      extensions.append(String(decoding: UnsafeBufferPointer(start: base + offset, count: 4), as: UTF8.self))
      offset += 8 + size
    }
    return .success((version, entries, names, extensions))
  }

  /// Git's offset varint (as in OFS_DELTA): 7 bits a byte, high bit set on all but the last,
  /// and one added before each shift so that every value has exactly one encoding.
  private static func decodeVarint(_ base: UnsafePointer<UInt8>, from start: Int, limit: Int) -> (Int, Int)? {
    var offset = start
    guard offset < limit else { return nil }
    var byte = base[offset]
    offset += 1
    var value = Int(byte & 0x7F)
    while byte & 0x80 != 0 {
      guard offset < limit, value < (Int.max >> 8) else { return nil }
      byte = base[offset]
      offset += 1
      value = ((value + 1) << 7) | Int(byte & 0x7F)
    }
    return (value, offset)
  }
}

extension GitIndexFile.Entry {
  fileprivate init(
    raw: UnsafeRawPointer, at offset: Int, hashSize: Int, flags: UInt16, extendedFlags: UInt16, nameRange: Range<Int>
  ) {
    func word(_ field: Int) -> UInt32 {
      UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset + field * 4, as: UInt32.self))
    }
    self.init(
      ctimeSeconds: word(0), ctimeNanoseconds: word(1), mtimeSeconds: word(2), mtimeNanoseconds: word(3),
      device: word(4), inode: word(5), mode: word(6), uid: word(7), gid: word(8), size: word(9),
      flags: flags, extendedFlags: extendedFlags, objectIDOffset: offset + 40, nameRange: nameRange)
  }
}
