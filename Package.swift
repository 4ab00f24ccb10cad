// swift-tools-version: 6.1
// mlflow-git: Git-based versioning for GenAI apps in MLflow.
// No Swift package dependencies: the toolchain and system C libraries only.

import PackageDescription

let strictSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
  name: "mlflow-git",
  products: [
    .library(name: "GitState", targets: ["GitState"]),
  ],
  targets: [
    // Spawning child processes with posix_spawn (Foundation's Process costs ~50 ms a wait).
    .target(name: "ChildProcess", swiftSettings: strictSettings),
    // A repository's version as MLflow sees it: branch, commit, dirty, diff, remote. Knows nothing of MLflow.
    .target(name: "GitState", dependencies: ["ChildProcess"], swiftSettings: strictSettings),

    .executableTarget(
      name: "GitStateBenchmark",
      dependencies: ["GitState", "ChildProcess"],
      path: "Benchmarks/GitStateBenchmark",
      swiftSettings: strictSettings
    ),

    .testTarget(
      name: "GitStateTests",
      dependencies: ["GitState", "ChildProcess"],
      exclude: ["Support/mlflow_git_info.py"],
      swiftSettings: strictSettings
    ),
  ],
  swiftLanguageModes: [.v6]
)
