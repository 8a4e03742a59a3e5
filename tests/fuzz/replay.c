/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - replay driver for the libFuzzer targets.
 *
 * Linked with one tests/fuzz/fuzz_<target>.c in place of libFuzzer, so that
 * make check can run a target's seed corpus with the ordinary compiler and
 * sanitizers. Each argument is a file, run as one input, or a directory,
 * whose regular files are run in name order (subdirectories are not
 * entered). Every input is read into a buffer of exactly its size, so a
 * sanitizer sees any read past its end. Prints how many inputs ran; exits
 * non-zero only when an argument or file cannot be read (a failing invariant
 * aborts inside the target).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* No corpus file is anywhere near this; a bigger one is a mistake. */
#define REPLAY_MAX_FILE (64L * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target, as in libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Run one file; returns 0, or -1 after saying why it could not be read. */
static int run_file(const char *path, unsigned long *pcount)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    int fd, rv = -1;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size > REPLAY_MAX_FILE) {
        fprintf(stderr, "replay: %s: not a regular file of at most %ld bytes\n",
                path, REPLAY_MAX_FILE);
        goto out;
    }
    buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    if (buf == NULL) {
        fprintf(stderr, "replay: %s: out of memory\n", path);
        goto out;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fprintf(stderr, "replay: %s: %s\n", path,
                    n < 0 ? strerror(errno) : "file shrank while reading");
            goto out;
        }
        got += (size_t)n;
    }
    LLVMFuzzerTestOneInput(buf, got);
    (*pcount)++;
    rv = 0;
out:
    free(buf);
    if (fd >= 0) {
        close(fd);
    }
    return rv;
}

/* Run every regular file of dir in name order. */
static int run_dir(const char *dir, unsigned long *pcount)
{
    struct dirent **names = NULL;
    int n, i, rv = 0;

    n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (i = 0; i < n; i++) {
        char path[PATH_MAX];
        struct stat st;
        int len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);

        if (len < 0 || (size_t)len >= sizeof(path)) {
            fprintf(stderr, "replay: %s/%s: path too long\n", dir,
                    names[i]->d_name);
            rv = -1;
        }
        else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(path, pcount) != 0) {
                rv = -1;
            }
        }
        free(names[i]);
    }
    free(names);
    return rv;
}

int main(int argc, char **argv)
{
    unsigned long count = 0;
    int failed = 0;

    if (LLVMFuzzerInitialize != NULL) {
        LLVMFuzzerInitialize(&argc, &argv);
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            failed = 1;
        }
        else if (S_ISDIR(st.st_mode)) {
            failed |= run_dir(argv[i], &count) != 0;
        }
        else {
            failed |= run_file(argv[i], &count) != 0;
        }
    }
    printf("%s: %lu inputs ran\n", argc > 0 ? argv[0] : "replay", count);
    return failed ? 1 : 0;
}
