#include "connectors/clickhouse/ch_http.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <regex>

#include <fmt/format.h>

#include "core/interrupt.h"
#include "core/log.h"

namespace dvt::ch {
namespace {

// Unread response bytes before the transfer is paused; the writer's blocks
// are of the same order.
constexpr size_t kResponseLimit = size_t{1} << 20;
constexpr size_t kTailBytes = 4096;
constexpr size_t kErrorBodyLimit = 64 * 1024;
constexpr long kReceiveBuffer = 256 * 1024;
constexpr long kUploadBuffer = 512 * 1024;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A server exception raised after a streamed result had started is appended
// to the body, after a 200 status: "Code: 241, e.displayText() =
// DB::Exception: ..." (18.x) or "Code: 241. DB::Exception: ..." (newer).
bool has_exception_text(const std::string& tail, std::string* text) {
  if (tail.find("DB::") == std::string::npos) return false;
  static const std::regex kException(R"(Code: \d+(, e\.displayText\(\) = |\. )DB::\w*Exception)");
  std::smatch match;
  if (!std::regex_search(tail, match, kException)) return false;
  *text = tail.substr(static_cast<size_t>(match.position(0)));
  return true;
}

template <typename T>
void set_option(CURL* easy, CURLoption option, T value) {
  if (curl_easy_setopt(easy, option, value) != CURLE_OK) {
    throw InternalError(fmt::format("libcurl refused option {}", static_cast<int>(option)));
  }
}

}  // namespace

CurlEasy::CurlEasy() {
  global_init();
  handle_ = curl_easy_init();
  if (!handle_) throw InternalError("libcurl could not create a handle");
}

void CurlHeaders::append(const std::string& header) {
  curl_slist* next = curl_slist_append(list_, header.c_str());
  if (!next) throw InternalError("libcurl could not add a header");
  list_ = next;
}

CurlMulti::CurlMulti(CURL* easy) : easy_(easy) {
  multi_ = curl_multi_init();
  if (!multi_) throw InternalError("libcurl could not create a multi handle");
  if (curl_multi_add_handle(multi_, easy_) != CURLM_OK) {
    curl_multi_cleanup(multi_);
    throw InternalError("libcurl could not start a transfer");
  }
}

CurlMulti::~CurlMulti() {
  curl_multi_remove_handle(multi_, easy_);
  curl_multi_cleanup(multi_);
}

HttpRequest::HttpRequest(const ChConfig& config, const std::string& url, Body body,
                         std::string fixed_body, std::string statement, bool interruptible)
    : config_(config),
      statement_(std::move(statement)),
      fixed_body_(std::move(fixed_body)),
      interruptible_(interruptible) {
  CURL* easy = easy_.get();
  if (!interruptible_) set_option(easy, CURLOPT_TIMEOUT, 60L);
  set_option(easy, CURLOPT_URL, url.c_str());
  set_option(easy, CURLOPT_NOSIGNAL, 1L);
  set_option(easy, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config_.connect_timeout));
  set_option(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  set_option(easy, CURLOPT_ERRORBUFFER, error_buffer_);
  set_option(easy, CURLOPT_WRITEFUNCTION, &HttpRequest::on_write);
  set_option(easy, CURLOPT_WRITEDATA, static_cast<void*>(this));
  set_option(easy, CURLOPT_BUFFERSIZE, kReceiveBuffer);
  headers_.append("X-ClickHouse-User: " + config_.user);
  if (!config_.password.empty()) headers_.append("X-ClickHouse-Key: " + config_.password);
  headers_.append("Expect:");
  if (body == Body::kFixed) {
    set_option(easy, CURLOPT_POSTFIELDS, fixed_body_.data());
    set_option(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(fixed_body_.size()));
  } else {
    headers_.append("Transfer-Encoding: chunked");
    headers_.append("Content-Type: application/octet-stream");
    set_option(easy, CURLOPT_POST, 1L);
    set_option(easy, CURLOPT_READFUNCTION, &HttpRequest::on_read);
    set_option(easy, CURLOPT_READDATA, static_cast<void*>(this));
    set_option(easy, CURLOPT_UPLOAD_BUFFERSIZE, kUploadBuffer);
  }
  set_option(easy, CURLOPT_HTTPHEADER, headers_.get());
}

HttpRequest::~HttpRequest() = default;

size_t HttpRequest::on_write(char* data, size_t size, size_t count, void* self) noexcept {
  return static_cast<HttpRequest*>(self)->write_callback(data, size * count);
}

size_t HttpRequest::on_read(char* buffer, size_t size, size_t count, void* self) noexcept {
  return static_cast<HttpRequest*>(self)->read_callback(buffer, size * count);
}

size_t HttpRequest::write_callback(const char* data, size_t size) noexcept {
  try {
    if (status_ == 0) curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status_);
    if (status_ != 200) {
      if (error_body_.size() < kErrorBodyLimit) {
        error_body_.append(data, std::min(size, kErrorBodyLimit - error_body_.size()));
      }
      return size;
    }
    if (response_.size() - response_offset_ >= kResponseLimit) {
      write_paused_ = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    response_.append(data, size);
    received_ += size;
    if (size >= kTailBytes) {
      tail_.assign(data + size - kTailBytes, kTailBytes);
    } else {
      tail_.append(data, size);
      if (tail_.size() > 2 * kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
    }
    return size;
  } catch (...) {
    callback_failed_ = true;
    return 0;  // libcurl stops the transfer with CURLE_WRITE_ERROR
  }
}

size_t HttpRequest::read_callback(char* buffer, size_t size) noexcept {
  size_t available = outgoing_.size() - outgoing_offset_;
  if (available == 0) {
    if (end_of_body_) return 0;
    read_paused_ = true;
    return CURL_READFUNC_PAUSE;
  }
  size_t n = std::min(available, size);
  std::memcpy(buffer, outgoing_.data() + outgoing_offset_, n);
  outgoing_offset_ += n;
  return n;
}

void HttpRequest::resume() {
  if (!multi_ || (!write_paused_ && !read_paused_)) return;
  write_paused_ = false;
  read_paused_ = false;
  curl_easy_pause(easy_.get(), CURLPAUSE_CONT);
}

template <typename Ready>
void HttpRequest::drive(Ready ready) {
  if (!multi_) multi_ = std::make_unique<CurlMulti>(easy_.get());
  while (!done_) {
    if (ready()) return;
    int running = 0;
    CURLMcode code = curl_multi_perform(multi_->get(), &running);
    if (code != CURLM_OK) {
      throw ConnectionError(
          fmt::format("{}: HTTP transfer failed: {}", config_.label(), curl_multi_strerror(code)));
    }
    if (running == 0) {
      int left = 0;
      while (CURLMsg* message = curl_multi_info_read(multi_->get(), &left)) {
        if (message->msg == CURLMSG_DONE) result_ = message->data.result;
      }
      done_ = true;
      return;
    }
    if (ready()) return;
    if (interruptible_) check_interrupted();
    curl_multi_poll(multi_->get(), nullptr, 0, 100, nullptr);
  }
}

void HttpRequest::check_result() {
  if (callback_failed_)
    throw InternalError(
        fmt::format("{}: out of memory while receiving a response", config_.label()));
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status_);
  if (result_ != CURLE_OK) {
    if (status_ == 0 &&
        (result_ == CURLE_COULDNT_CONNECT || result_ == CURLE_COULDNT_RESOLVE_HOST ||
         result_ == CURLE_OPERATION_TIMEDOUT)) {
      throw TierUnavailable(
          fmt::format("{}: cannot reach ClickHouse's HTTP interface: {}", config_.label(),
                      error_buffer_[0] ? error_buffer_ : curl_easy_strerror(result_)));
    }
    if (status_ != 200 && !error_body_.empty())
      throw_server_error(config_, error_body_, statement_, false);
    throw ConnectionError(
        fmt::format("{}: the HTTP request failed after {} bytes: {}", config_.label(), received_,
                    error_buffer_[0] ? error_buffer_ : curl_easy_strerror(result_)));
  }
  if (status_ != 200) {
    if ((status_ == 401 || status_ == 403) && server_error_code(error_body_) < 0) {
      throw ConnectionError(
          fmt::format("{}: authentication failed for user '{}' (HTTP {}); check profiles.yml "
                      "output '{}'",
                      config_.label(), config_.user, status_, config_.output));
    }
    throw_server_error(config_,
                       error_body_.empty() ? fmt::format("HTTP status {}", status_) : error_body_,
                       statement_, false);
  }
  std::string exception;
  if (has_exception_text(tail_, &exception)) {
    throw DataError(fmt::format("{}: the server failed while sending the result: {}",
                                config_.label(), server_message(exception)));
  }
}

size_t HttpRequest::read(char* buffer, size_t size) {
  if (response_offset_ == response_.size() && !done_) {
    resume();
    drive([this] { return response_offset_ < response_.size(); });
  }
  size_t available = response_.size() - response_offset_;
  if (available == 0) {
    check_result();
    return 0;
  }
  size_t n = std::min(available, size);
  std::memcpy(buffer, response_.data() + response_offset_, n);
  response_offset_ += n;
  if (response_offset_ == response_.size()) {
    response_.clear();
    response_offset_ = 0;
  }
  return n;
}

void HttpRequest::send(std::string& block) {
  if (done_) {
    check_result();
    throw ConnectionError(
        fmt::format("{}: the server ended the INSERT before all rows were sent", config_.label()));
  }
  outgoing_.swap(block);
  outgoing_offset_ = 0;
  block.clear();
  resume();
  drive([this] { return outgoing_offset_ == outgoing_.size(); });
  if (outgoing_offset_ != outgoing_.size()) {
    check_result();
    throw ConnectionError(
        fmt::format("{}: the server ended the INSERT before all rows were sent", config_.label()));
  }
}

void HttpRequest::finish() {
  end_of_body_ = true;
  resume();
  drive([] { return false; });
  check_result();
}

void HttpRequest::complete() {
  char buffer[16 * 1024];
  while (read(buffer, sizeof(buffer)) > 0) {
  }
}

namespace {

class HttpSource : public ByteSource {
 public:
  explicit HttpSource(std::unique_ptr<HttpRequest> request) : request_(std::move(request)) {}
  size_t read(char* buffer, size_t size) override { return request_->read(buffer, size); }

 private:
  std::unique_ptr<HttpRequest> request_;
};

class HttpSink : public ByteSink {
 public:
  explicit HttpSink(std::unique_ptr<HttpRequest> request) : request_(std::move(request)) {}
  void write(std::string& block) override { request_->send(block); }
  void finish() override { request_->finish(); }

 private:
  std::unique_ptr<HttpRequest> request_;
};

class HttpSession : public ChSession {
 public:
  explicit HttpSession(const ChConfig& config) : config_(config) {}

  const char* method() const override { return "native"; }

  void execute(const std::string& sql, const Settings& settings) override {
    HttpRequest request(config_, url(settings, nullptr), HttpRequest::Body::kFixed, sql, sql,
                        interruptible_);
    request.complete();
  }

  void set_interruptible(bool interruptible) override { interruptible_ = interruptible; }

  std::string query(const std::string& sql, const Settings& settings) override {
    HttpRequest request(config_, url(settings, nullptr), HttpRequest::Body::kFixed, sql, sql);
    std::string out;
    char buffer[64 * 1024];
    while (size_t n = request.read(buffer, sizeof(buffer))) out.append(buffer, n);
    return out;
  }

  std::unique_ptr<ByteSource> open_query(const std::string& sql,
                                         const Settings& settings) override {
    auto request = std::make_unique<HttpRequest>(config_, url(settings, nullptr),
                                                 HttpRequest::Body::kFixed, sql, sql);
    return std::make_unique<HttpSource>(std::move(request));
  }

  std::unique_ptr<ByteSink> open_insert(const std::string& sql, const Settings& settings) override {
    auto request = std::make_unique<HttpRequest>(config_, url(settings, &sql),
                                                 HttpRequest::Body::kStreamed, "", sql);
    return std::make_unique<HttpSink>(std::move(request));
  }

 private:
  std::string escape(const std::string& text) {
    char* escaped = curl_easy_escape(escaper_.get(), text.data(), static_cast<int>(text.size()));
    if (!escaped) throw InternalError("libcurl could not escape a URL parameter");
    std::string out(escaped);
    curl_free(escaped);
    return out;
  }

  // The statement of an INSERT goes in the URL (its body is the data); the
  // credentials never do.
  std::string url(const Settings& settings, const std::string* insert) {
    std::string host =
        config_.host.find(':') != std::string::npos ? "[" + config_.host + "]" : config_.host;
    std::string out = fmt::format("{}://{}:{}/?database={}", config_.secure ? "https" : "http",
                                  host, config_.http_port, escape(config_.database));
    for (const auto& [name, value] : settings)
      out += fmt::format("&{}={}", escape(name), escape(value));
    if (insert) out += "&query=" + escape(*insert);
    return out;
  }

  ChConfig config_;
  CurlEasy escaper_;
  bool interruptible_ = true;
};

}  // namespace

std::unique_ptr<ChSession> open_http_session(const ChConfig& config) {
  return std::make_unique<HttpSession>(config);
}

}  // namespace dvt::ch
