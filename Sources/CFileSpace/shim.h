// Linux's fallocate(2) and lseek's SEEK_DATA, which Swift's Glibc module does not export (glibc
// declares them only under _GNU_SOURCE): LocalFiles uses it to give back the disk space of an append-only file's
// delivered prefix without moving its end or replacing it. Also getauxval(3), which the Glibc module lacks too
// (StaticExecutable).
#include <sys/types.h>
#if defined(__linux__)
#include <sys/auxv.h>
#endif

extern int fallocate(int fd, int mode, off_t offset, off_t len);

/// Deallocates `length` bytes at `offset` of the open file `fd`, keeping its size: the range
/// reads as zeroes, later appends land where they would have. Returns 0, or -1 with errno set
/// (EOPNOTSUPP where the file system cannot punch holes).
/// The first offset at or after `offset` that is not in a hole (lseek's SEEK_DATA, 3 on Linux),
/// or -1 with errno set (ENXIO past the last data).
static inline off_t mlflow_git_seek_data(int fd, off_t offset) {
  extern off_t lseek(int fd, off_t offset, int whence);
  return lseek(fd, offset, 3);
}

static inline int mlflow_git_punch_hole(int fd, off_t offset, off_t length) {
  // FALLOC_FL_PUNCH_HOLE (0x02) | FALLOC_FL_KEEP_SIZE (0x01), from <linux/falloc.h>.
  return fallocate(fd, 0x02 | 0x01, offset, length);
}

/// 1 when this process is a static executable (the kernel started it without a program
/// interpreter), which must not dlopen libcurl: glibc gives a library loaded into a static
/// executable a C library of its own, whose state (thread-specific keys, …) collides with the
/// program's.
static inline int mlflow_git_process_is_static(void) {
#if defined(__linux__)
  return getauxval(AT_BASE) == 0;
#else
  return 0;
#endif
}
