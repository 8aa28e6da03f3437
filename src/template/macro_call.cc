#include "template/macro_call.h"

#include <algorithm>
#include <utility>

namespace dvt::jinja {

namespace {

thread_local RenderScope* current_scope = nullptr;

}  // namespace

RenderScope::RenderScope(const Value::Map& context, std::vector<std::string>* macro_calls)
    : context_(context), macro_calls_(macro_calls), outer_(current_scope) {
  current_scope = this;
}

RenderScope::~RenderScope() {
  current_scope = outer_;
}

RenderScope* RenderScope::current() {
  return current_scope;
}

void RenderScope::record_call(const std::string& unique_id) {
  if (depth_ != 0 || macro_calls_ == nullptr) return;
  if (std::find(macro_calls_->begin(), macro_calls_->end(), unique_id) == macro_calls_->end()) {
    macro_calls_->push_back(unique_id);
  }
}

Macro::Macro(const Environment* env, std::string template_name, std::string defined_name,
             std::string unique_id)
    : env_(env),
      template_name_(std::move(template_name)),
      defined_name_(std::move(defined_name)),
      unique_id_(std::move(unique_id)) {}

Value Macro::call(const Arguments& arguments) const {
  RenderScope* scope = RenderScope::current();
  if (scope == nullptr) {
    return env_->call_macro(template_name_, defined_name_, arguments.positional,
                            arguments.keywords);
  }
  scope->record_call(unique_id_);
  struct Depth {
    explicit Depth(int& value) : value_(value) { ++value_; }
    ~Depth() { --value_; }
    int& value_;
  } depth(scope->depth_);
  return env_->call_macro(template_name_, defined_name_, arguments.positional, arguments.keywords,
                          scope->context());
}

}  // namespace dvt::jinja
