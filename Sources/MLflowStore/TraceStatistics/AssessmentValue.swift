import ChildProcess

/// The number MLflow aggregates an assessment's value as (its `assessment_aggregate`, which
/// fills the `aggregate_value` column of `mlflow.db`'s `assessments` table).
///
/// # Usage
/// ```swift
/// let passed = AssessmentValue.aggregate(.bool(true))        // 1.0
/// let rated = AssessmentValue.aggregate(.string(" Yes "))   // 1.0 (a judge's categorical rating)
/// let other = AssessmentValue.aggregate(.string("great"))   // nil
/// ```
package enum AssessmentValue {
  /// `true`/`false` count as 1 and 0, a finite number as itself, the strings `yes` and `no`
  /// (any case, surrounding white space ignored; what `mlflow.genai` judges answer) as 1 and 0;
  /// anything else (text, lists, objects, null, NaN, ±infinity) has no number.
  package static func aggregate(_ value: JSONValue) -> Double? {
    switch value {
    case .bool(let flag): return flag ? 1 : 0
    case .integer(let number): return Double(number)
    case .double(let number): return number.isFinite ? number : nil
    case .string(let text):
      switch text.trimmingWhitespace().lowercased() {
      case "yes": return 1
      case "no": return 0
      default: return nil
      }
    default: return nil
    }
  }
}
