import Foundation
import MLflowStore
import Testing
import TestSupport

/// Real Python MLflow 3.17.2 reads what the Swift store writes, and the other way round.
@Suite("Interoperation with Python MLflow 3.17.2")
struct PythonInteropTests {
  @Test("Python reads our models, finds them by tag filter, and enable_git_model_versioning() reuses ours")
  func pythonReusesOurModel() async throws {
    let directory = try TemporaryDirectory()
    let repository = try GitFixture(in: directory)
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let gitTags = try repository.cleanTags()
    let ours = try await store.createLoggedModel(
      experimentID: "0", name: "main-" + gitTags["mlflow.source.git.commit"]!.prefix(7),
      tags: gitTags.merging(["mlflow.source.name": "mlflow-git"]) { $1 }, params: ["p": "1"], modelType: nil,
      sourceRunID: nil)
    _ = try await store.finalizeLoggedModel(id: ours.modelID, status: .ready)
    let tricky = try await store.createLoggedModel(
      experimentID: "0", name: "tricky", tags: ["mlflow.source.git.branch": "日本 \"q\" a AND b", "k": "v"])
    let ordered = ["mlflow.source.git.branch", "mlflow.source.git.commit", "mlflow.source.git.dirty", "mlflow.source.git.repoURL"]
      .map { (key: $0, value: gitTags[$0]!) }

    let results = try await ReferenceMLflow.runOracle([
      ["op": "get_logged_model", "model_id": ours.modelID],
      ["op": "search_logged_models", "filter": try MLflowFilter.tagsEqual(ordered)],
      ["op": "search_logged_models", "filter": try MLflowFilter.tagsEqual([("mlflow.source.git.branch", "日本 \"q\" a AND b")])],
      ["op": "enable_git", "cwd": repository.path],
      ["op": "search_logged_models", "filter": try MLflowFilter.tagsEqual(ordered)],
    ], databasePath: store.databasePath)

    let got = try #require(results[0] as? [String: Any], "\(results[0])")
    #expect(got["model_id"] as? String == ours.modelID)
    #expect(got["name"] as? String == ours.name)
    #expect(got["status"] as? String == "READY")
    #expect(got["artifact_location"] as? String == ours.artifactLocation)
    #expect(got["tags"] as? [String: String] == ours.tags)
    #expect(got["params"] as? [String: String] == ["p": "1"])
    #expect((results[1] as? [[String: Any]])?.compactMap { $0["model_id"] as? String } == [ours.modelID])
    #expect((results[2] as? [[String: Any]])?.compactMap { $0["model_id"] as? String } == [tricky.modelID])
    let enabled = try #require(results[3] as? [String: Any], "\(results[3])")
    #expect(enabled["git_tags"] as? [String: String] == gitTags, "Python computed other git tags than ours")
    #expect(enabled["filter"] as? String == (try MLflowFilter.tagsEqual(ordered)))
    #expect(enabled["model_id"] as? String == ours.modelID, "Python created a second model instead of reusing ours")
    #expect((results[4] as? [[String: Any]])?.count == 1)
  }

  @Test("Our lookup finds the models Python created, clean and dirty, with identical tags")
  func weFindPythonModels() async throws {
    let directory = try TemporaryDirectory()
    let repository = try GitFixture(in: directory)
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let results = try await ReferenceMLflow.runOracle([
      ["op": "enable_git", "cwd": repository.path],
      ["op": "write_file", "path": repository.path + "/app.py", "text": "print('v2')\n"],
      ["op": "enable_git", "cwd": repository.path],
      ["op": "search_logged_models"],
    ], databasePath: store.databasePath)

    for result in [results[0], results[2]] {
      let enabled = try #require(result as? [String: Any], "\(result)")
      let modelID = try #require(enabled["model_id"] as? String)
      let gitTags = try #require(enabled["git_tags"] as? [String: String])
      let lookupTags = gitTags.filter { $0.key != "mlflow.source.git.diff" }
      let page = try await store.searchLoggedModels(LoggedModelSearch(experimentIDs: ["0"], tags: lookupTags, maxResults: 1))
      #expect(page.models.map(\.modelID) == [modelID])
      let python = try #require((results[3] as? [[String: Any]])?.first { $0["model_id"] as? String == modelID })
      #expect(page.models.first?.tags == python["tags"] as? [String: String])
      #expect(page.models.first?.name == python["name"] as? String)
      #expect(page.models.first?.status == .pending)
    }
    let dirty = try #require(results[2] as? [String: Any])
    #expect(dirty["model_id"] as? String != (results[0] as? [String: Any])?["model_id"] as? String)
    #expect((dirty["git_tags"] as? [String: String])?["mlflow.source.git.dirty"] == "true")
    #expect((dirty["git_tags"] as? [String: String])?["mlflow.source.git.diff"]?.contains("+print('v2')") == true)
  }

  @Test("Python finds our traces by model ID and shows their spans")
  func pythonReadsOurTraces() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let model = try await store.createLoggedModel(experimentID: "0", name: "m", tags: ["k": "v"])
    let trace = SampleTrace.make(modelID: model.modelID)
    _ = try await store.logTrace(trace)
    _ = try await store.logTrace(SampleTrace.make(modelID: nil))
    let results = try await ReferenceMLflow.runOracle([
      ["op": "search_traces", "model_id": model.modelID],
      ["op": "get_trace", "trace_id": trace.info.traceID],
    ], databasePath: store.databasePath)

    let found = try #require(results[0] as? [[String: Any]], "\(results[0])")
    #expect(found.compactMap { $0["trace_id"] as? String } == [trace.info.traceID])
    #expect((found.first?["metadata"] as? [String: String])?["mlflow.modelId"] == model.modelID)
    let got = try #require(results[1] as? [String: Any], "\(results[1])")
    #expect(got["state"] as? String == "OK")
    #expect(got["request_time"] as? Int == Int(trace.info.requestTime))
    #expect(got["request_preview"] as? String == trace.info.requestPreview)
    #expect((got["tags"] as? [String: String])?["mlflow.traceName"] == "my_app")
    let spans = try #require(got["spans"] as? [[String: Any]])
    #expect(spans.compactMap { $0["name"] as? String } == ["my_app", "llm"])
    #expect(spans[1]["parent_id"] as? String == spans[0]["span_id"] as? String)
    #expect(spans[0]["parent_id"] is NSNull)
    #expect(spans.compactMap { $0["span_type"] as? String } == ["CHAIN", "CHAT_MODEL"])
    #expect(spans[0]["start_time_ns"] as? Int == Int(trace.spans[0].startTime))
    #expect(NSDictionary(dictionary: spans[0]["inputs"] as? [String: Any] ?? [:]) == ["q": "What is MLflow?"])
    let messages = (spans[1]["inputs"] as? [String: Any])?["messages"] as? [[String: String]]
    #expect(messages == [["role": "user", "content": "What is MLflow?"]])
    let choices = (spans[1]["outputs"] as? [String: Any])?["choices"] as? [[String: Any]]
    #expect((choices?.first?["message"] as? [String: String])?["content"] == "hi")
  }

  @Test("The rows we write equal the rows Python writes for the same model and trace")
  func sameRowsAsPython() async throws {
    let directory = try TemporaryDirectory()
    let pythonFirst = try await MLflowDatabaseTemplate.copy(into: directory, name: "python-first.db")
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let tags = ["mlflow.source.git.branch": "main", "mlflow.source.git.dirty": "false", "note": "é \"x\""]
    let params = ["temperature": "0.2"]
    let results = try await ReferenceMLflow.runOracle([
      ["op": "chdir", "path": directory.path],
      ["op": "create_logged_model", "name": "same-model", "tags": tags, "params": params],
      ["op": "make_trace"],
    ], databasePath: store.databasePath)
    _ = try await ReferenceMLflow.runOracle([["op": "chdir", "path": directory.path], ["op": "search_logged_models"]],
      databasePath: pythonFirst)

    // The Default experiment MLflow adds when it opens a fresh database.
    let ourDefault = try RawDatabase(store.databasePath).rows("SELECT * FROM experiments")
    let pythonDefault = try RawDatabase(pythonFirst).rows("SELECT * FROM experiments")
    #expect(ourDefault.map { without($0, ["creation_time", "last_update_time"]) }
      == pythonDefault.map { without($0, ["creation_time", "last_update_time"]) })

    // A logged model with tags and params.
    let pythonModel = try #require((results[1] as? [String: Any])?["model_id"] as? String, "\(results[1])")
    let ourModel = try await store.createLoggedModel(
      experimentID: "0", name: "same-model", tags: tags, params: params, modelType: nil, sourceRunID: nil).modelID
    let raw = try RawDatabase(store.databasePath)
    for table in ["logged_models", "logged_model_tags", "logged_model_params"] {
      let order = table == "logged_models" ? "" : " ORDER BY 2, 3"
      let python = try raw.rows("SELECT * FROM \(table) WHERE model_id = ?\(order)", [pythonModel])
      let swift = try raw.rows("SELECT * FROM \(table) WHERE model_id = ?\(order)", [ourModel])
      #expect(!python.isEmpty)
      #expect(
        swift.map { normalized($0, replacing: ourModel) } == python.map { normalized($0, replacing: pythonModel) },
        "\(table)")
    }

    // A trace: read Python's, write it again as ours under a new ID, compare every row.
    let pythonTraceID = try #require(results[2] as? String, "\(results[2])")
    var copy = try await store.trace(id: pythonTraceID)
    let ourTraceID = TraceInfo.newTraceID()
    copy.info.traceID = ourTraceID
    copy.spans = copy.spans.map { span in
      var span = span
      span.traceID = ourTraceID
      return span
    }
    _ = try await store.logTrace(copy)
    let rename = [pythonTraceID: ourTraceID,
      base64(ofHex: pythonTraceID.dropFirst(3)): base64(ofHex: ourTraceID.dropFirst(3))]
    for (table, key, order) in [
      ("trace_info", "request_id", ""), ("trace_tags", "request_id", " ORDER BY key"),
      ("trace_request_metadata", "request_id", " ORDER BY key"), ("spans", "trace_id", " ORDER BY span_id"),
    ] {
      let python = try raw.rows("SELECT * FROM \(table) WHERE \(key) = ?\(order)", [pythonTraceID])
        .map { row in normalizedContent(row.mapValues { replace($0, rename) }) }
      let swift = try raw.rows("SELECT * FROM \(table) WHERE \(key) = ?\(order)", [ourTraceID]).map(normalizedContent)
      #expect(!python.isEmpty)
      // db_payload_generation counts span writes: 1 for our single write, as Python's batched
      // (asynchronous) export leaves it; its synchronous export here writes spans one by one.
      let generation: Set<String> = ["db_payload_generation"]
      #expect(swift.map { without($0, generation) } == python.map { without($0, generation) }, "\(table)")
      if table == "trace_info" {
        #expect(swift.first?["db_payload_generation"] as? Int64 == 1)
        #expect((python.first?["db_payload_generation"] as? Int64 ?? 0) >= 1)
      }
    }
  }

  private func without(_ row: [String: AnyHashable], _ keys: Set<String>) -> [String: AnyHashable] {
    row.filter { !keys.contains($0.key) }
  }

  /// A row with its model ID replaced and its timestamps dropped.
  private func normalized(_ row: [String: AnyHashable], replacing modelID: String) -> [String: AnyHashable] {
    without(row, ["creation_timestamp_ms", "last_updated_timestamp_ms"]).mapValues { replace($0, [modelID: "<id>"]) }
  }

  private func replace(_ value: AnyHashable, _ replacements: [String: String]) -> AnyHashable {
    guard var text = value as? String else { return value }
    for (old, new) in replacements { text = text.replacingOccurrences(of: old, with: new) }
    return text
  }

  /// A row whose `content` JSON is parsed, so key order does not matter.
  private func normalizedContent(_ row: [String: AnyHashable]) -> [String: AnyHashable] {
    guard let content = row["content"] as? String,
      let json = try? JSONSerialization.jsonObject(with: Data(content.utf8)) as? NSDictionary
    else { return row }
    var row = row
    row["content"] = json
    return row
  }
}
