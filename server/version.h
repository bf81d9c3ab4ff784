/* swdd version string, shared by --version and `monitor version`. */
#ifndef SWDD_VERSION_H
#define SWDD_VERSION_H
#define SWDD_VERSION "0.1"
#endif
