import GitVersioning

/// The line that says which version of the app answered, e.g.
/// `version: main@93be08f (model m-4f2c…)`, or why there is none.
enum VersionLine {
  static func text(for context: GitVersioningContext) -> String {
    guard let info = context.info, let model = context.activeModel else {
      let why = context.problem.map { "\($0)" } ?? "no version is active"
      return "version: none (Git versioning is off: \(why))"
    }
    let dirty = info.isDirty ? ", uncommitted changes" : ""
    return "version: \(info.branch)@\(info.commit.prefix(7)) (model \(model.modelID)\(dirty))"
  }
}
