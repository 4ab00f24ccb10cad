import MLflowStore
import TestSupport

extension MLflowDatabaseTemplate {
  /// A store on a fresh copy of the template in `directory`.
  static func store(
    in directory: TemporaryDirectory, options: SQLiteTrackingStore.Options = .init()
  ) throws -> SQLiteTrackingStore {
    try SQLiteTrackingStore(databasePath: try copy(into: directory), options: options)
  }
}
