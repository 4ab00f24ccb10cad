import Testing

@testable import LocalFiles

@Suite("StateFolder names the state folder and every file in it")
struct StateFolderTests {
  @Test("a repository's folder is <git common dir>/mlflow-git, and each file and folder is directly in it")
  func repositoryFolder() {
    let folder = StateFolder(commonDirectory: "/src/app/.git")
    #expect(folder.path == "/src/app/.git/mlflow-git")
    let files = [
      folder.journal, folder.index, folder.legacyIndex, folder.undelivered, folder.modelIDs, folder.duplicates,
      folder.storeChecks, folder.workerLog, folder.workerLock, folder.registerLock, folder.undeliveredLock,
      folder.traces, folder.installManifest, folder.hooks,
    ]
    #expect(Set(files).count == files.count, "no two share a name")
    for file in files {
      #expect(file.hasPrefix(folder.path + "/") && !file.dropFirst(folder.path.count + 1).contains("/"), "\(file)")
    }
    #expect(folder.journal == "/src/app/.git/mlflow-git/journal", "the name the hook programs in hooks/ append to")
    #expect(folder.hooks == "/src/app/.git/mlflow-git/hooks", "the folder the shared hook lines run from")
  }

  @Test("the per-user folder: $XDG_STATE_HOME/mlflow-git when absolute, else ~/.local/state/mlflow-git")
  func userFolder() {
    #expect(StateFolder.user(environment: ["XDG_STATE_HOME": "/state", "HOME": "/home/u"]).path == "/state/mlflow-git")
    #expect(StateFolder.user(environment: ["XDG_STATE_HOME": "state", "HOME": "/home/u"]).path == "/home/u/.local/state/mlflow-git")
    #expect(StateFolder.user(environment: ["HOME": "/home/u"]).traces == "/home/u/.local/state/mlflow-git/traces")
  }

  @Test("this test process, linked dynamically, is not a static executable")
  func dynamicProcess() {
    #expect(!StaticExecutable.isCurrentProcess)
  }
}
