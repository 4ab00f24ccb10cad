import ChildProcess
import Foundation
import TestSupport

/// Two versions of an app with traces from both Python MLflow and Swift tracing, and feedback
/// on them: what the compare tests compare. Set up once per test process; removed when it exits.
///
/// - A: `main` at the first commit. The Python app (`Python/app.py`, `@mlflow.trace` around an
///   OpenAI-compatible stand-in called through OpenAI autolog, run under `mlflow-git exec`) and
///   the Swift support agent (`SupportAgent`, MLflowTracing) each answer a few questions; one
///   agent call fails (a wrong key), as does the app's `lookup`.
/// - B: `feature/prompt` one commit later, plus an uncommitted change; the same kinds of traces
///   in other numbers, the last round after ``windowStart``.
/// - Then `Python/feedback.py` assesses every trace of both (booleans, numbers, yes/no, text, an
///   error, an override, an expectation, and `mlflow.genai.evaluate` with a code scorer).
final class CompareScenario: Sendable {
  static let shared = Task { try await CompareScenario() }

  let scratch: Scratch
  let repo: String
  /// What every command of the scenario runs with.
  let environment: [String: String]
  /// A's and B's model IDs.
  let modelA: String
  let modelB: String
  /// A whole second, in milliseconds since the Unix epoch: only B's last round of traces
  /// started after it.
  let windowStart: Int64
  /// What `mlflow.genai.evaluate` reported per model ID (`concise/mean`).
  let evaluated: [String: [String: Double]]

  var databasePath: String { repo + "/mlflow.db" }

  static let cli = BuiltProducts.executable(named: "mlflow-git")
  static let python = ReferenceMLflow.packageRoot + "/Tests/VersionComparisonTests/Python"

  private init() async throws {
    let scratch = try Scratch()
    self.scratch = scratch
    ExitCleanup.add { scratch.remove() }
    let repo = try scratch.repository(files: ["agent.py": "PROMPT = 'Answer in three sentences.'\n"])
    self.repo = repo
    try scratch.git(["-C", repo, "remote", "add", "origin", "https://git.example.com/acme/support.git"])
    try await MLflowDatabaseTemplate.copy(to: repo + "/mlflow.db")
    let environment = ReferenceMLflow.environment().merging(scratch.environment) { $1 }
    self.environment = environment
    let rounds = Rounds(repo: repo, environment: environment)

    let chat = try await StandInServer(in: scratch.root, key: "sk-compare")
    defer { chat.stop() }
    modelA = try Self.modelID(of: try await Self.run(Self.cli, ["status", "--json"], in: repo, environment))
    try await rounds.app(count: 4, pause: 0.04, chat: chat)
    try await rounds.agent(["How do I reset my password?", "Where is my invoice?", "Can I share a folder?"], chat: chat)

    try scratch.git(["-C", repo, "checkout", "-q", "-b", "feature/prompt"])
    try scratch.write("PROMPT = 'Answer in one sentence.'\n", to: repo + "/agent.py")
    try scratch.git(["-C", repo, "commit", "-q", "-am", "Shorter answers"])
    try scratch.write("PROMPT = 'Answer in one short sentence.'\nTEMPERATURE = 0\n", to: repo + "/agent.py")
    modelB = try Self.modelID(of: try await Self.run(Self.cli, ["status", "--json"], in: repo, environment))
    try await rounds.app(count: 3, pause: 0.01, chat: chat)
    try await rounds.agent(["How do I reset my password?", "Where is my invoice?"], chat: chat)
    // The window starts at the next whole second, which `--since` can name exactly.
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    windowStart = (now / 1000 + 1) * 1000
    try await Task.sleep(for: .milliseconds(windowStart - now + 20))
    try await rounds.app(count: 2, pause: 0, chat: chat)
    try await rounds.agent(["Can I get a refund?"], chat: chat)

    let output = try await Self.run(
      try await ReferenceMLflow.pythonPath(), [Self.python + "/feedback.py", modelA, modelB], in: repo,
      environment.merging(["MLFLOW_TRACKING_URI": "sqlite:///" + repo + "/mlflow.db"]) { $1 })
    let last = output.split(separator: "\n").last.map(String.init) ?? ""
    evaluated = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: [String: Double]] ?? [:]
  }

  /// The apps that make the traces.
  private struct Rounds {
    let repo: String
    let environment: [String: String]

    /// The Python app under `mlflow-git exec`: `count` traces `answer`, one `Completions`, one
    /// failing `lookup`.
    func app(count: Int, pause: Double, chat: StandInServer) async throws {
      let python = try await ReferenceMLflow.pythonPath()
      try await CompareScenario.run(
        CompareScenario.cli,
        ["exec", "--", python, CompareScenario.python + "/app.py", chat.baseURL, chat.key, String(count), String(pause)],
        in: repo, environment)
    }

    /// The Swift support agent, once per question, then once with a wrong key (a failed trace).
    func agent(_ questions: [String], chat: StandInServer) async throws {
      let agent = BuiltProducts.executable(named: "SupportAgent")
      var environment = self.environment
      environment["OPENAI_BASE_URL"] = chat.baseURL
      environment["OPENAI_API_KEY"] = chat.key
      for question in questions { try await CompareScenario.run(agent, [question], in: repo, environment) }
      environment["OPENAI_API_KEY"] = "sk-wrong"
      _ = try await CompareScenario.output(agent, ["Why was I charged twice?"], in: repo, environment)
    }
  }

  /// Runs `executable arguments` in `directory`; a non-zero exit fails with its output.
  @discardableResult
  static func run(_ executable: String, _ arguments: [String], in directory: String, _ environment: [String: String])
    async throws -> String
  {
    let output = try await self.output(executable, arguments, in: directory, environment)
    guard output.succeeded else {
      throw TestFailure(
        "\(executable) \(arguments.joined(separator: " ")) exited \(output.exitStatus): "
          + "\(output.standardOutputText) \(output.standardErrorText)")
    }
    return output.standardOutputText
  }

  /// Runs `executable arguments` in `directory` and returns what it did.
  static func output(_ executable: String, _ arguments: [String], in directory: String, _ environment: [String: String])
    async throws -> ChildProcess.Output
  {
    try await ChildProcess.runLimited(
      "sh", arguments: ["-c", "cd \"$1\" && shift && exec \"$@\"", "run", directory, executable] + arguments,
      environment: environment)
  }

  static func modelID(of statusJSON: String) throws -> String {
    let object = try JSONSerialization.jsonObject(with: Data(statusJSON.utf8)) as? [String: Any]
    guard let id = object?["modelID"] as? String else { throw TestFailure("no modelID in \(statusJSON)") }
    return id
  }

  /// `mlflow-git compare arguments --json` in the repository, decoded.
  func compareJSON(_ arguments: [String], extra: [String: String] = [:]) async throws -> [String: Any] {
    let text = try await Self.run(Self.cli, ["compare"] + arguments + ["--json"], in: repo, environment.merging(extra) { $1 })
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
      throw TestFailure("compare --json printed no object: \(text)")
    }
    return object
  }

  /// `Python/oracle.py`'s figures for `models` (by model ID) in the store `trackingURI`.
  func oracle(_ models: [String], trackingURI: String, since: Int64? = nil, until: Int64? = nil) async throws
    -> [String: Any]
  {
    let text = try await Self.run(
      try await ReferenceMLflow.pythonPath(),
      [Self.python + "/oracle.py", since.map(String.init) ?? "-", until.map(String.init) ?? "-"] + models, in: repo,
      environment.merging(["MLFLOW_TRACKING_URI": trackingURI]) { $1 })
    guard let last = text.split(separator: "\n").last,
      let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
    else { throw TestFailure("oracle.py printed no object: \(text)") }
    return object
  }
}
