// ClickHouse's HTTP interface through libcurl: RAII owners for the curl
// handles, and one HTTP request whose body and response are streamed in
// bounded buffers by a pull model. The caller's read() or send() drives a
// curl multi handle (curl_multi_perform / curl_multi_poll) until it has what
// it needs; the write callback pauses the transfer when its buffer is full,
// the read callback when it has nothing to send. No thread, no unbounded
// buffering, and no C++ exception crosses a curl callback.
//
// Credentials travel in the X-ClickHouse-User / X-ClickHouse-Key headers,
// never in the URL (which may end up in a server's or a proxy's log).
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <string>

#include "connectors/clickhouse/ch_session.h"

namespace dvt::ch {

// Owns one CURL easy handle.
class CurlEasy {
 public:
  CurlEasy();
  ~CurlEasy() { curl_easy_cleanup(handle_); }
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;
  CURL* get() const { return handle_; }

 private:
  CURL* handle_ = nullptr;
};

// Owns one curl_slist (request headers).
class CurlHeaders {
 public:
  CurlHeaders() = default;
  ~CurlHeaders() { curl_slist_free_all(list_); }
  CurlHeaders(const CurlHeaders&) = delete;
  CurlHeaders& operator=(const CurlHeaders&) = delete;
  void append(const std::string& header);
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// Owns one CURLM multi handle, with one easy handle added to it.
class CurlMulti {
 public:
  explicit CurlMulti(CURL* easy);
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;
  CURLM* get() const { return multi_; }

 private:
  CURLM* multi_ = nullptr;
  CURL* easy_ = nullptr;
};

// One POST to the server: a fixed body (a statement) or a streamed one (the
// data of an INSERT whose statement is in the URL), and a response read as
// it arrives.
class HttpRequest {
 public:
  enum class Body { kFixed, kStreamed };

  // `url` holds no secret. Starts nothing until the first read/send/finish.
  HttpRequest(const ChConfig& config, const std::string& url, Body body, std::string fixed_body,
              std::string statement, bool interruptible = true);
  ~HttpRequest();
  HttpRequest(const HttpRequest&) = delete;
  HttpRequest& operator=(const HttpRequest&) = delete;

  // Response body: up to `size` bytes, 0 once complete. Throws when the
  // request failed (server error, lost connection, a server exception
  // appended to a streamed result).
  size_t read(char* buffer, size_t size);
  // Request body (kStreamed): sends `block` and clears it.
  void send(std::string& block);
  // Ends the request body (kStreamed) and waits for the response.
  void finish();
  // Reads and discards the response; throws on failure.
  void complete();

  uint64_t bytes_received() const { return received_; }

 private:
  static size_t on_write(char* data, size_t size, size_t count, void* self) noexcept;
  static size_t on_read(char* buffer, size_t size, size_t count, void* self) noexcept;
  size_t write_callback(const char* data, size_t size) noexcept;
  size_t read_callback(char* buffer, size_t size) noexcept;

  // Runs the transfer until `ready()` holds or it is complete.
  template <typename Ready>
  void drive(Ready ready);
  void resume();
  // Throws unless the completed transfer succeeded.
  void check_result();

  ChConfig config_;
  std::string statement_;  // for messages
  std::string fixed_body_;
  CurlEasy easy_;
  CurlHeaders headers_;
  std::unique_ptr<CurlMulti> multi_;
  char error_buffer_[CURL_ERROR_SIZE] = {};

  // Response side.
  long status_ = 0;
  std::string response_;  // received, not yet read (status 200)
  size_t response_offset_ = 0;
  std::string error_body_;  // the body of a non-200 response
  std::string tail_;        // the last bytes of a 200 response
  uint64_t received_ = 0;
  bool write_paused_ = false;

  // Request side (kStreamed).
  std::string outgoing_;
  size_t outgoing_offset_ = 0;
  bool end_of_body_ = false;
  bool read_paused_ = false;

  bool interruptible_ = true;
  bool done_ = false;
  CURLcode result_ = CURLE_OK;
  bool callback_failed_ = false;
};

}  // namespace dvt::ch
