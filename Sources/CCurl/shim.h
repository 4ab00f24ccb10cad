// The libcurl C API (Debian: libcurl4-openssl-dev for these headers, libcurl4 at run time), for the
// HTTPClient module.
//
// libcurl is not linked: loading it and its ~30 libraries (OpenSSL, GnuTLS, Kerberos, LDAP, …)
// would lengthen every process start. `ccurl_load` opens it with dlopen on the first request
// instead, so programs that never talk HTTP never load it.
//
// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are C variadics, which Swift cannot call:
// the static inline functions below call them with one argument of a fixed type.
#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

/// The libcurl functions HTTPClient uses, resolved by `ccurl_load`.
typedef struct ccurl_api {
  CURLcode (*global_init)(long flags);
  curl_version_info_data *(*version_info)(CURLversion age);
  CURL *(*easy_init)(void);
  void (*easy_cleanup)(CURL *handle);
  void (*easy_reset)(CURL *handle);
  CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
  CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
  const char *(*easy_strerror)(CURLcode code);
  CURLM *(*multi_init)(void);
  CURLMcode (*multi_cleanup)(CURLM *multi);
  CURLMcode (*multi_add_handle)(CURLM *multi, CURL *handle);
  CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *handle);
  CURLMcode (*multi_perform)(CURLM *multi, int *running);
  CURLMcode (*multi_poll)(CURLM *multi, struct curl_waitfd *extra, unsigned int count, int timeout_ms, int *ready);
  CURLMcode (*multi_wakeup)(CURLM *multi);
  CURLMsg *(*multi_info_read)(CURLM *multi, int *queued);
  struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
  void (*slist_free_all)(struct curl_slist *list);
} ccurl_api;

/// Opens libcurl (libcurl.so.4), fills `api` and initializes the library once. Returns 1, or 0 with
/// the reason in `error`. Call it once per process (HTTPClient does, from a Swift global).
static inline int ccurl_load(ccurl_api *api, char *error, size_t error_size) {
  static const char *const names[] = {"libcurl.so.4", "libcurl.so", "libcurl.4.dylib", "libcurl.dylib"};
  void *library = NULL;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && library == NULL; i++) {
    library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
  }
  if (library == NULL) {
    const char *reason = dlerror();
    snprintf(error, error_size, "%s", reason != NULL ? reason : "libcurl.so.4 not found");
    return 0;
  }
#define CCURL_RESOLVE(field, symbol)                                                        \
  if ((*(void **)&api->field = dlsym(library, symbol)) == NULL) {                           \
    snprintf(error, error_size, "libcurl has no %s; version 7.68 or later is needed", symbol); \
    return 0;                                                                               \
  }
  CCURL_RESOLVE(global_init, "curl_global_init")
  CCURL_RESOLVE(version_info, "curl_version_info")
  CCURL_RESOLVE(easy_init, "curl_easy_init")
  CCURL_RESOLVE(easy_cleanup, "curl_easy_cleanup")
  CCURL_RESOLVE(easy_reset, "curl_easy_reset")
  CCURL_RESOLVE(easy_setopt, "curl_easy_setopt")
  CCURL_RESOLVE(easy_getinfo, "curl_easy_getinfo")
  CCURL_RESOLVE(easy_strerror, "curl_easy_strerror")
  CCURL_RESOLVE(multi_init, "curl_multi_init")
  CCURL_RESOLVE(multi_cleanup, "curl_multi_cleanup")
  CCURL_RESOLVE(multi_add_handle, "curl_multi_add_handle")
  CCURL_RESOLVE(multi_remove_handle, "curl_multi_remove_handle")
  CCURL_RESOLVE(multi_perform, "curl_multi_perform")
  CCURL_RESOLVE(multi_poll, "curl_multi_poll")
  CCURL_RESOLVE(multi_wakeup, "curl_multi_wakeup")
  CCURL_RESOLVE(multi_info_read, "curl_multi_info_read")
  CCURL_RESOLVE(slist_append, "curl_slist_append")
  CCURL_RESOLVE(slist_free_all, "curl_slist_free_all")
#undef CCURL_RESOLVE
  CURLcode initialized = api->global_init(CURL_GLOBAL_DEFAULT);
  if (initialized != CURLE_OK) {
    snprintf(error, error_size, "curl_global_init failed: %s", api->easy_strerror(initialized));
    return 0;
  }
  return 1;
}

/// `curl_easy_setopt` with a `long` (flags, numbers, timeouts in milliseconds).
static inline CURLcode ccurl_setopt_long(const ccurl_api *api, CURL *handle, CURLoption option, long value) {
  return api->easy_setopt(handle, option, value);
}

/// `curl_easy_setopt` with a `curl_off_t` (sizes).
static inline CURLcode ccurl_setopt_off(const ccurl_api *api, CURL *handle, CURLoption option, curl_off_t value) {
  return api->easy_setopt(handle, option, value);
}

/// `curl_easy_setopt` with a C string, copied by libcurl (or NULL to clear it).
static inline CURLcode ccurl_setopt_string(const ccurl_api *api, CURL *handle, CURLoption option, const char *value) {
  return api->easy_setopt(handle, option, value);
}

/// `curl_easy_setopt` with a pointer libcurl keeps (callback data, error buffer, header list).
static inline CURLcode ccurl_setopt_pointer(const ccurl_api *api, CURL *handle, CURLoption option, void *value) {
  return api->easy_setopt(handle, option, value);
}

/// `curl_easy_setopt` with a data callback (CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION).
static inline CURLcode ccurl_setopt_callback(
    const ccurl_api *api, CURL *handle, CURLoption option, curl_write_callback value) {
  return api->easy_setopt(handle, option, value);
}

/// `curl_easy_getinfo` for a `long` (response code, request size).
static inline CURLcode ccurl_getinfo_long(const ccurl_api *api, CURL *handle, CURLINFO info, long *value) {
  return api->easy_getinfo(handle, info, value);
}

/// `curl_easy_getinfo` for a `curl_off_t` (times in microseconds).
static inline CURLcode ccurl_getinfo_off(const ccurl_api *api, CURL *handle, CURLINFO info, curl_off_t *value) {
  return api->easy_getinfo(handle, info, value);
}

/// The result of a finished transfer: the union member of `CURLMsg` Swift cannot name safely.
static inline CURLcode ccurl_message_result(const CURLMsg *message) { return message->data.result; }

#endif
