// The system SQLite 3 C API (Debian: libsqlite3-dev), for the MLflowStore module.
#include <sqlite3.h>
