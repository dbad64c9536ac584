/* The example product as a vendor builds it: its key compiled in, from the
 * header `activa-vendor c-key VENDORDIR -o vendor_key.h` writes. Never read
 * the key from a file, an argument or the environment: whoever runs the
 * product could then bring a vendor of their own and sign themselves a
 * license. */
#include <stdio.h>

#include "product.h"
#include "vendor_key.h"

/* The IDs the vendor's catalog gives this product (`activa-vendor
 * show-catalog catalog.json` lists them). */
#ifndef APPLICATION_ID
#error "define APPLICATION_ID and SKU_ID: the product's IDs in the vendor's catalog"
#endif

int main(void) {
  const int usable = check_license(kVendorKey, APPLICATION_ID, SKU_ID, stdout);
  printf(usable ? "running in full mode\n" : "running in restricted mode\n");
  return usable ? 0 : 1;
}
