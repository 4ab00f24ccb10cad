// swift-tools-version: 6.1
// mlflow-git: Git-based versioning for GenAI apps in MLflow.
// No Swift package dependencies: the toolchain and system C libraries only.

import PackageDescription

let strictSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

/// `mlflow-git --version`: install.sh builds with MLFLOW_GIT_SOURCE_VERSION set to the version it
/// computes for the sources; a build without it says `dev`.
let sourceVersionSettings: [CSetting] = Context.environment["MLFLOW_GIT_SOURCE_VERSION"].map { version in
  [.define("MLFLOW_GIT_SOURCE_VERSION", to: "\"" + version.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" } + "\"")]
} ?? []

let package = Package(
  name: "mlflow-git",
  products: [
    .library(name: "GitState", targets: ["GitState"]),
    .library(name: "MLflowStore", targets: ["MLflowStore"]),
    .library(name: "MLflowServerStore", targets: ["MLflowServerStore"]),
    .library(name: "GitVersioning", targets: ["GitVersioning"]),
    .library(name: "MLflowTracing", targets: ["MLflowTracing"]),
    .library(name: "OpenAIChat", targets: ["OpenAIChat"]),
    .executable(name: "mlflow-git", targets: ["mlflow-git"]),
  ],
  targets: [
    // Spawning child processes with posix_spawn (Foundation's Process polls a run loop to wait for one).
    .target(name: "ChildProcess", swiftSettings: strictSettings),
    // Linux's fallocate(2) (hole punching), which Swift's Glibc module does not export.
    .systemLibrary(name: "CFileSpace"),
    // Private local state files: locks, append-only logs, atomic replacement (mode 0600/0700); the
    // process facts every layer needs (a static executable?, warnings on stderr unless MLFLOW_GIT_QUIET).
    .target(name: "LocalFiles", dependencies: ["CFileSpace"], swiftSettings: strictSettings),
    // A repository's version as MLflow sees it: branch, commit, dirty, diff, remote. Knows nothing of MLflow
    // (its records go through LocalFiles' private-file layer, in a folder its caller names).
    .target(name: "GitState", dependencies: ["ChildProcess", "LocalFiles"], swiftSettings: strictSettings),
    // The system's SQLite 3 C library (Debian: libsqlite3-dev), for the embedded MLflow store.
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    // MLflow's tracking store: logged models and traces in MLflow's own mlflow.db. Knows nothing of Git.
    .target(name: "MLflowStore", dependencies: ["CSQLite", "ChildProcess", "LocalFiles"], swiftSettings: strictSettings),
    // libcurl's headers (Debian: libcurl4-openssl-dev); the library itself is opened on the first request, so
    // programs that never talk HTTP do not load it and the libraries it needs at start-up.
    .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
    // HTTP requests through libcurl: reused connections, millisecond timeouts, cancellation, TLS options.
    .target(name: "HTTPClient", dependencies: ["CCurl", "LocalFiles"], swiftSettings: strictSettings),
    // The same tracking store on an MLflow tracking server, over its REST API (HTTPClient).
    .target(name: "MLflowServerStore", dependencies: ["MLflowStore", "HTTPClient"], swiftSettings: strictSettings),
    // Installs and removes the hooks that journal new Git states (the POSIX shell programs in hooks/), next to
    // the hook managers teams use (husky, lefthook, pre-commit, core.hooksPath).
    .target(
      name: "GitHooks", dependencies: ["GitState", "LocalFiles"], swiftSettings: strictSettings,
      plugins: ["EmbedHooks"]),
    // Compiles the hook programs of the top-level hooks/ folder into GitHooks (HookPrograms).
    .plugin(name: "EmbedHooks", capability: .buildTool()),
    // The registration half, what the hook worker and the CLI link (API: `package`): the journal,
    // its delivery and the hooks' worker, the registrar, undelivered versions, model ID mapping, the
    // index writes, and the version vocabulary both halves share (GitVersion, DirtyVersionPolicy,
    // version tags, the index).
    .target(
      name: "VersionRegistration",
      dependencies: ["GitState", "MLflowStore", "MLflowServerStore", "LocalFiles"],
      swiftSettings: strictSettings),
    // The runtime half, what apps link: looks up the current Git state's model in the local index,
    // computes the dirty diff only when dirty, makes the model active; reaches VersionRegistration
    // only for what the hooks cannot cover (a new dirty diff, a missing index entry).
    .target(
      name: "GitVersioning",
      dependencies: ["VersionRegistration", "GitState", "GitHooks", "MLflowStore", "LocalFiles"],
      swiftSettings: strictSettings),
    // MLflow tracing for Swift apps: spans in a TaskLocal tree, traces linked to the active Git version,
    // exported off the caller's path, journaled when the store is unreachable.
    .target(
      name: "MLflowTracing", dependencies: ["GitVersioning", "VersionRegistration", "MLflowStore", "MLflowServerStore", "LocalFiles"],
      swiftSettings: strictSettings),
    // A minimal OpenAI-compatible chat-completions client whose calls are MLflow CHAT_MODEL spans, as
    // Python MLflow's OpenAI autolog records them. Knows nothing of Git.
    .target(name: "OpenAIChat", dependencies: ["MLflowTracing", "MLflowStore", "HTTPClient"], swiftSettings: strictSettings),
    // Two versions side by side: the code changes from Git, the behaviour from each version's
    // traces in its store, and the reports (terminal, Markdown, JSON, HTML with SVG charts).
    .target(
      name: "VersionComparison",
      dependencies: ["GitVersioning", "VersionRegistration", "GitState", "MLflowStore", "MLflowServerStore"],
      swiftSettings: strictSettings),
    // The source version install.sh stamps into its builds (MLFLOW_GIT_SOURCE_VERSION in the build's
    // environment); only this C file is compiled again when it changes.
    .target(name: "CSourceVersion", cSettings: sourceVersionSettings),
    // The command-line tool: thin commands over GitVersioning, declared and parsed in the shape of
    // swift-argument-parser (ArgumentParsing/).
    .executableTarget(
      name: "mlflow-git",
      dependencies: [
        "GitVersioning", "VersionRegistration", "MLflowTracing", "GitHooks", "GitState", "MLflowStore", "LocalFiles",
        "ChildProcess", "CSourceVersion", "VersionComparison",
      ],
      swiftSettings: strictSettings),

    // The seed's customer support agent in Swift: Git versioning, a traced chat call, the version it ran as.
    .executableTarget(
      name: "SupportAgent", dependencies: ["OpenAIChat", "MLflowTracing", "MLflowStore", "GitVersioning"],
      path: "Examples/SupportAgent", swiftSettings: strictSettings),

    // Benchmarks: each prints medians and ratios against baselines measured in the same run.
    .target(
      name: "BenchmarkSupport", dependencies: ["ChildProcess"], path: "Benchmarks/BenchmarkSupport",
      swiftSettings: strictSettings),
    .executableTarget(
      name: "GitStateBenchmark", dependencies: ["GitState", "ChildProcess", "BenchmarkSupport"],
      path: "Benchmarks/GitStateBenchmark", swiftSettings: strictSettings),
    .executableTarget(
      name: "StoreBenchmark", dependencies: ["MLflowStore", "ChildProcess"], path: "Benchmarks/StoreBenchmark",
      swiftSettings: strictSettings),
    .executableTarget(
      name: "ServerStoreBenchmark", dependencies: ["MLflowServerStore", "MLflowStore", "ChildProcess", "BenchmarkSupport"],
      path: "Benchmarks/ServerStoreBenchmark", swiftSettings: strictSettings),
    .executableTarget(
      name: "VersioningBenchmark", dependencies: ["GitVersioning", "ChildProcess", "BenchmarkSupport"],
      path: "Benchmarks/VersioningBenchmark", exclude: ["python_enable.py"], swiftSettings: strictSettings),
    .executableTarget(
      name: "TracingBenchmark",
      dependencies: [
        "MLflowTracing", "GitVersioning", "MLflowStore", "CSQLite", "ChildProcess", "BenchmarkSupport", "TestSupport",
      ],
      path: "Benchmarks/TracingBenchmark", exclude: ["python_trace.py", "python_load.py", "agent_step.py"],
      swiftSettings: strictSettings),
    .executableTarget(
      name: "CompareBenchmark", dependencies: ["GitVersioning", "MLflowStore", "ChildProcess", "BenchmarkSupport"],
      path: "Benchmarks/CompareBenchmark", exclude: ["python_compare.py"], swiftSettings: strictSettings),
    .executableTarget(
      name: "HooksBenchmark", dependencies: ["ChildProcess", "BenchmarkSupport", "GitHooks", "TestSupport"],
      path: "Benchmarks/HooksBenchmark",
      swiftSettings: strictSettings),

    // Tests: real git repositories, the real Python MLflow 3.17.2, real `mlflow server`.
    .target(
      name: "TestSupport", dependencies: ["ChildProcess", "HTTPClient"], path: "Tests/TestSupport", swiftSettings: strictSettings),
    .testTarget(
      name: "GitStateTests", dependencies: ["GitState", "ChildProcess", "TestSupport"],
      exclude: ["Support/mlflow_git_info.py"], swiftSettings: strictSettings),
    .testTarget(
      name: "MLflowStoreTests",
      dependencies: ["MLflowStore", "MLflowServerStore", "HTTPClient", "ChildProcess", "CSQLite", "TestSupport"],
      exclude: ["Python"],
      swiftSettings: strictSettings),
    // Real repositories for the versioning, registration, hook and install tests: one with an
    // MLflow database at its top (VersioningFixture), one with the hooks installed (HookFixture).
    .target(
      name: "RepositoryFixtures", dependencies: ["GitVersioning", "MLflowStore", "ChildProcess", "TestSupport"],
      path: "Tests/RepositoryFixtures", swiftSettings: strictSettings),
    .testTarget(
      name: "GitVersioningTests",
      dependencies: [
        "GitVersioning", "VersionRegistration", "GitState", "MLflowStore", "LocalFiles", "ChildProcess", "TestSupport",
        "RepositoryFixtures",
      ],
      swiftSettings: strictSettings),
    // The registration half: the journal and its delivery (the worker, also as the hooks run it),
    // the registrar's races, undelivered versions, the index; reached through the runtime's door
    // where an app start is what registers.
    .testTarget(
      name: "VersionRegistrationTests",
      dependencies: [
        "VersionRegistration", "GitVersioning", "GitHooks", "MLflowTracing", "GitState", "MLflowStore", "LocalFiles",
        "ChildProcess", "TestSupport", "RepositoryFixtures",
      ],
      swiftSettings: strictSettings),
    .testTarget(
      name: "MLflowTracingTests",
      dependencies: ["MLflowTracing", "GitVersioning", "VersionRegistration", "MLflowStore", "ChildProcess", "TestSupport"],
      swiftSettings: strictSettings),
    .testTarget(
      name: "SupportAgentTests", dependencies: ["OpenAIChat", "ChildProcess", "TestSupport"], exclude: ["StandIn"],
      swiftSettings: strictSettings),
    .testTarget(
      name: "CLITests", dependencies: ["mlflow-git", "ChildProcess", "TestSupport"], exclude: ["Golden"],
      swiftSettings: strictSettings),
    .testTarget(
      name: "VersionComparisonTests",
      dependencies: [
        "VersionComparison", "MLflowStore", "GitState", "GitVersioning", "ChildProcess", "TestSupport",
      ], exclude: ["Python"],
      swiftSettings: strictSettings),
    .testTarget(name: "LocalFilesTests", dependencies: ["LocalFiles", "TestSupport"], swiftSettings: strictSettings),
    .testTarget(name: "ChildProcessTests", dependencies: ["ChildProcess", "TestSupport"], swiftSettings: strictSettings),
    .testTarget(
      name: "HTTPClientTests", dependencies: ["HTTPClient", "TestSupport"], exclude: ["Server"],
      swiftSettings: strictSettings),
    // An app's view: only library products, default Swift 6 settings, and the README's snippets verbatim.
    .testTarget(name: "AppTests", dependencies: ["GitVersioning", "MLflowTracing", "OpenAIChat"]),
    .testTarget(
      name: "ChaosTests",
      dependencies: ["GitVersioning", "VersionRegistration", "MLflowTracing", "ChildProcess", "TestSupport"],
      swiftSettings: strictSettings),
    // Installing the hooks next to hook managers, the hook programs, hooks gone.
    .testTarget(
      name: "GitHooksTests", dependencies: ["GitHooks", "MLflowStore", "ChildProcess", "TestSupport", "RepositoryFixtures"],
      swiftSettings: strictSettings),
    // install.sh: its build and install, and the dependencies it installs (what the build needs only).
    .testTarget(
      name: "InstallTests", dependencies: ["MLflowStore", "ChildProcess", "TestSupport", "RepositoryFixtures"],
      swiftSettings: strictSettings),
  ],
  swiftLanguageModes: [.v6]
)
