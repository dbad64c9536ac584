// A temporary folder that is removed with everything in it when the object
// goes out of scope.
#ifndef ACTIVA_TESTING_TEMP_DIR_H_
#define ACTIVA_TESTING_TEMP_DIR_H_

#include <string>

namespace activa::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace activa::testing

#endif  // ACTIVA_TESTING_TEMP_DIR_H_
