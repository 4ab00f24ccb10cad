import VersionRegistration

/// The hooks' worker (VersionRegistration's `JournalWorker`, below this module) delivers the
/// journaled traces after the journaled versions, and logs what this report says went wrong.
extension TraceJournal.Report: JournaledTracesReport {}
