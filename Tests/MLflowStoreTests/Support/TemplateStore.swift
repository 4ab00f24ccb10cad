import MLflowStore
import TestSupport

extension MLflowDatabaseTemplate {
  /// A store on a fresh copy of the template in `directory`.
  static func store(
    in directory: TemporaryDirectory, options: SQLiteTrackingStore.Options = .init()
  ) async throws -> SQLiteTrackingStore {
    try SQLiteTrackingStore(databasePath: try await copy(into: directory), options: options)
  }
}
