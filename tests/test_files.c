/* SPDX-License-Identifier: Apache-2.0 */
/* test_files.c: unit tests for the document-root lookup (src/files.c).
 *
 * The suite runs twice: once as started (openat2 with RESOLVE_BENEATH where
 * the kernel has it), then main() starts this program again with the test
 * hook TLSD_FILES_NO_OPENAT2=1, which makes files.c use its openat +
 * /proc/self/fd fallback. Both runs must pass. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "files.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(SYS_openat2) && defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define TEST_HAVE_OPENAT2 1
#endif
#endif

#define HOOK "TLSD_FILES_NO_OPENAT2"

/* ------------------------------------------------------------ helpers */

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1;   /* opendir's own descriptor */
}

/* Does this process resolve through openat2, as files.c will decide? */
static bool expect_openat2(void)
{
    const char *hook = getenv(HOOK);
    if (hook != NULL && strcmp(hook, "1") == 0)
        return false;
#ifdef TEST_HAVE_OPENAT2
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_RDONLY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH;
    long fd = syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof how);
    if (fd >= 0) {
        close((int)fd);
        return true;
    }
    return errno != ENOSYS && errno != EPERM;
#else
    return false;
#endif
}

/* ------------------------------------------------------------ the tree */

static char base_dir[64];      /* /tmp/tlsd-files-XXXXXX: root/ and outside/ */
static char root_dir[128];
static int root_fd = -1;

static void write_file(const char *dir, const char *name, const char *content, mode_t mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    ck_assert_msg(fd >= 0, "create %s: %s", path, strerror(errno));
    size_t n = strlen(content);
    ck_assert_int_eq(write(fd, content, n), (ssize_t)n);
    ck_assert_int_eq(fchmod(fd, mode), 0);
    close(fd);
}

static void make_dir(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_msg(mkdir(path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
}

static void make_link(const char *target, const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_msg(symlink(target, path) == 0, "symlink %s: %s", path, strerror(errno));
}

/* A tree with everything a document root should and should not serve:
 *   root/index.html  file.txt  Upper.HTML  secret.txt (mode 000)
 *   root/sub/index.html  sub/up-link.txt -> ../file.txt
 *   root/noindex/file.txt   root/dirindex/index.html/ (a directory)
 *   root/linkindex/index.html -> ../../outside/secret.txt
 *   root/inside-link -> file.txt   alias.html -> index.html   sub-link -> sub
 *   root/abs-inside-link -> <root>/file.txt (absolute)
 *   root/outside-link -> /etc/passwd   outside-dir-link -> /etc
 *   root/rel-outside-link -> ../outside/secret.txt   rel-outside-dir -> ../outside
 *   root/fifo (FIFO)   root/socket (UNIX socket)
 *   root/.env  .git/config  .git/index.html  sub/.hidden  ...  dot-link -> .env
 *   root/.well-known/acme-challenge/token  .well-known/.secret
 *   outside/secret.txt  outside/passwd */
static void tree_setup(void)
{
    umask(022);
    strcpy(base_dir, "/tmp/tlsd-files-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(base_dir));
    ck_assert_int_eq(chmod(base_dir, 0755), 0);
    snprintf(root_dir, sizeof root_dir, "%s/root", base_dir);
    make_dir(base_dir, "root");
    make_dir(base_dir, "outside");

    char outside[160];
    snprintf(outside, sizeof outside, "%s/outside", base_dir);
    write_file(outside, "secret.txt", "outside secret\n", 0644);
    write_file(outside, "passwd", "root:x:0:0::/root:/bin/sh\n", 0644);

    write_file(root_dir, "index.html", "<h1>root</h1>\n", 0644);
    write_file(root_dir, "file.txt", "hello\n", 0644);
    write_file(root_dir, "Upper.HTML", "<p>upper</p>\n", 0644);
    write_file(root_dir, "secret.txt", "nobody may read me\n", 0000);
    make_dir(root_dir, "sub");
    write_file(root_dir, "sub/index.html", "<h1>sub</h1>\n", 0644);
    make_link("../file.txt", root_dir, "sub/up-link.txt");
    make_dir(root_dir, "noindex");
    write_file(root_dir, "noindex/file.txt", "no index here\n", 0644);
    make_dir(root_dir, "dirindex");
    make_dir(root_dir, "dirindex/index.html");
    make_dir(root_dir, "linkindex");
    make_link("../../outside/secret.txt", root_dir, "linkindex/index.html");
    make_link("file.txt", root_dir, "inside-link");
    make_link("index.html", root_dir, "alias.html");
    make_link("sub", root_dir, "sub-link");
    char absolute[256];
    snprintf(absolute, sizeof absolute, "%s/file.txt", root_dir);
    make_link(absolute, root_dir, "abs-inside-link");
    make_link("/etc/passwd", root_dir, "outside-link");
    make_link("/etc", root_dir, "outside-dir-link");
    make_link("../outside/secret.txt", root_dir, "rel-outside-link");
    make_link("../outside", root_dir, "rel-outside-dir");
    write_file(root_dir, ".env", "DATABASE_PASSWORD=hunter2\n", 0644);
    make_dir(root_dir, ".git");
    write_file(root_dir, ".git/config", "[core]\n", 0644);
    write_file(root_dir, ".git/index.html", "<p>git</p>\n", 0644);
    write_file(root_dir, "sub/.hidden", "hidden\n", 0644);
    write_file(root_dir, "...", "three dots\n", 0644);
    make_link(".env", root_dir, "dot-link");
    make_dir(root_dir, ".well-known");
    make_dir(root_dir, ".well-known/acme-challenge");
    write_file(root_dir, ".well-known/acme-challenge/token", "token.thumbprint\n", 0644);
    write_file(root_dir, ".well-known/.secret", "not well known\n", 0644);

    char path[256];
    snprintf(path, sizeof path, "%s/fifo", root_dir);
    ck_assert_int_eq(mkfifo(path, 0644), 0);

    struct sockaddr_un sun;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof sun.sun_path, "%.90s/socket", root_dir);   /* short: /tmp/... */
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(s, 0);
    ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, sizeof sun), 0);
    close(s);

    root_fd = open(root_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ck_assert_int_ge(root_fd, 0);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void tree_teardown(void)
{
    if (root_fd >= 0)
        close(root_fd);
    root_fd = -1;
    if (base_dir[0] != '\0')
        nftw(base_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Per test (inside the forked child when Check forks): no descriptor leaks. */
static int fds_at_start;

static void fd_check_setup(void) { fds_at_start = count_fds(); }

static void fd_check_teardown(void)
{
    ck_assert_int_eq(count_fds(), fds_at_start);
}

/* ------------------------------------------------------------ lookups */

static enum files_result lookup(const char *path, struct files_entry *entry)
{
    memset(entry, 0x5a, sizeof *entry);
    return files_open(root_fd, path, strlen(path), "index.html", false, entry);
}

static void expect_result(const char *path, enum files_result expected)
{
    struct files_entry entry;
    enum files_result r = lookup(path, &entry);
    if (r == FILES_OK)
        close(entry.fd);
    ck_assert_msg(r == expected, "%s: expected %d, got %d", path, (int)expected, (int)r);
    ck_assert_int_eq(entry.fd, -1);
    ck_assert_ptr_null(entry.content_type);
}

static void expect_file(const char *path, const char *content, const char *content_type)
{
    struct files_entry entry;
    enum files_result r = lookup(path, &entry);
    ck_assert_msg(r == FILES_OK, "%s: expected OK, got %d", path, (int)r);
    ck_assert_int_ge(entry.fd, 0);

    int fd_flags = fcntl(entry.fd, F_GETFD), fl_flags = fcntl(entry.fd, F_GETFL);
    char buf[256];
    ssize_t n = read(entry.fd, buf, sizeof buf);
    struct stat st;
    ck_assert_int_eq(fstat(entry.fd, &st), 0);
    close(entry.fd);

    ck_assert(fd_flags & FD_CLOEXEC);
    ck_assert(!(fl_flags & O_NONBLOCK));
    ck_assert_int_eq((fl_flags & O_ACCMODE), O_RDONLY);
    ck_assert_int_eq(n, (ssize_t)strlen(content));
    ck_assert_mem_eq(buf, content, strlen(content));
    ck_assert_uint_eq(entry.size, strlen(content));
    ck_assert_int_eq(entry.mtime, (long long)st.st_mtime);
    if (content_type != NULL)
        ck_assert_str_eq(entry.content_type, content_type);
}

START_TEST(test_root_index)
{
    expect_file("/", "<h1>root</h1>\n", "text/html; charset=utf-8");
    expect_file("/index.html", "<h1>root</h1>\n", "text/html; charset=utf-8");
    expect_file("//", "<h1>root</h1>\n", "text/html; charset=utf-8");
    expect_file("/.", "<h1>root</h1>\n", "text/html; charset=utf-8");
    expect_file("/sub/..", "<h1>root</h1>\n", "text/html; charset=utf-8");
}
END_TEST

START_TEST(test_sub_index)
{
    expect_file("/sub/", "<h1>sub</h1>\n", "text/html; charset=utf-8");
    expect_file("/sub//", "<h1>sub</h1>\n", NULL);
    expect_file("/sub/./", "<h1>sub</h1>\n", NULL);
    expect_file("/%73ub/", "<h1>sub</h1>\n", NULL);
    expect_file("/%2Fsub%2F", "<h1>sub</h1>\n", NULL);    /* %2F is a separator */
    expect_file("/sub-link/", "<h1>sub</h1>\n", NULL);    /* directory symlink inside */
    expect_result("/sub", FILES_REDIRECT_SLASH);
    expect_result("/sub-link", FILES_REDIRECT_SLASH);
    expect_result("/noindex", FILES_REDIRECT_SLASH);
    expect_result("/noindex/", FILES_NOT_FOUND);
    expect_result("/dirindex/", FILES_NOT_FOUND);         /* index is a directory */
    expect_result("/linkindex/", FILES_NOT_FOUND);        /* index links outside */
    expect_file("/noindex/file.txt", "no index here\n", "text/plain; charset=utf-8");
}
END_TEST

START_TEST(test_no_index_configured)
{
    struct files_entry entry;
    ck_assert_int_eq(files_open(root_fd, "/sub/", 5, NULL, false, &entry), FILES_NOT_FOUND);
    ck_assert_int_eq(entry.fd, -1);
    ck_assert_int_eq(files_open(root_fd, "/sub/", 5, "", false, &entry), FILES_NOT_FOUND);
    ck_assert_int_eq(files_open(root_fd, "/", 1, "file.txt", false, &entry), FILES_OK);
    ck_assert_str_eq(entry.content_type, "text/plain; charset=utf-8");
    close(entry.fd);
}
END_TEST

START_TEST(test_bad_paths)
{
    static const char *const bad[] = {
        "/../etc/passwd", "/%2e%2e/x", "/%2E%2E/x", "/.%2e/x", "/..", "/sub/../../x",
        "/%00", "/a%00b", "/bad%zz", "/bad%", "/bad%4", "/%g1", "", "index.html",
        "%2Findex.html", "/a/..%2F..%2Fetc/passwd",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_result(bad[i], FILES_BAD_PATH);
}
END_TEST

START_TEST(test_dot_dot_inside)
{
    expect_file("/a/%2E%2E/index.html", "<h1>root</h1>\n", NULL);
    expect_file("/sub/../file.txt", "hello\n", NULL);
    expect_file("/x/y/%2e%2E/..//file.txt", "hello\n", NULL);
    expect_file("/sub/up-link.txt", "hello\n", NULL);     /* relative symlink via .. */
}
END_TEST

START_TEST(test_symlinks)
{
    expect_file("/inside-link", "hello\n", NULL);
    expect_file("/alias.html", "<h1>root</h1>\n", "text/html; charset=utf-8");
    expect_result("/outside-link", FILES_NOT_FOUND);
    expect_result("/outside-dir-link/passwd", FILES_NOT_FOUND);
    expect_result("/outside-dir-link/", FILES_NOT_FOUND);
    expect_result("/outside-dir-link", FILES_NOT_FOUND);
    expect_result("/rel-outside-link", FILES_NOT_FOUND);
    expect_result("/rel-outside-dir/secret.txt", FILES_NOT_FOUND);
    expect_result("/rel-outside-dir/passwd", FILES_NOT_FOUND);
    expect_result("/rel-outside-dir", FILES_NOT_FOUND);
}
END_TEST

/* RESOLVE_BENEATH refuses every absolute symlink; the fallback accepts one
 * that lands inside the root. This also shows which path actually ran. */
START_TEST(test_absolute_symlink_inside)
{
    if (expect_openat2())
        expect_result("/abs-inside-link", FILES_NOT_FOUND);
    else
        expect_file("/abs-inside-link", "hello\n", NULL);
}
END_TEST

START_TEST(test_not_regular)
{
    expect_result("/fifo", FILES_NOT_FOUND);      /* and no hang: O_NONBLOCK */
    expect_result("/socket", FILES_NOT_FOUND);
    expect_result("/fifo/", FILES_NOT_FOUND);
}
END_TEST

START_TEST(test_missing)
{
    expect_result("/missing.html", FILES_NOT_FOUND);
    expect_result("/sub/missing/", FILES_NOT_FOUND);
    expect_result("/file.txt/", FILES_NOT_FOUND);          /* a file is not a directory */
    expect_result("/file.txt/x", FILES_NOT_FOUND);
    /* backslash is a byte: "..\etc\passwd" is one name, a dot file, and
     * with dot files served, a missing one */
    expect_result("/..\\etc\\passwd", FILES_HIDDEN);
    expect_result("/%2e%2e%5cetc%5cpasswd", FILES_HIDDEN);
    static const char *const backslashed[] = { "/..\\etc\\passwd", "/%2e%2e%5cetc%5cpasswd" };
    for (size_t i = 0; i < 2; i++) {
        struct files_entry entry;
        ck_assert_int_eq(files_open(root_fd, backslashed[i], strlen(backslashed[i]), "index.html", true, &entry),
                         FILES_NOT_FOUND);
    }

    char longname[400];
    memset(longname, 'n', sizeof longname - 1);
    longname[0] = '/';
    longname[sizeof longname - 1] = '\0';
    expect_result(longname, FILES_NOT_FOUND);              /* ENAMETOOLONG */
}
END_TEST

START_TEST(test_unreadable)
{
    if (geteuid() != 0) {
        expect_result("/secret.txt", FILES_FORBIDDEN);
        return;
    }
    /* As root, the assertion needs another user: drop to nobody in a child. */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
            _exit(100);
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);   /* keep /proc/self/fd readable */
        struct files_entry entry;
        enum files_result secret = lookup("/secret.txt", &entry);
        enum files_result plain = lookup("/file.txt", &entry);
        if (plain == FILES_OK)
            close(entry.fd);
        _exit(plain != FILES_OK ? 101 : (int)secret);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    if (WEXITSTATUS(status) == 100)
        return;   /* could not drop privileges here: nothing to assert */
    ck_assert_int_eq(WEXITSTATUS(status), FILES_FORBIDDEN);
}
END_TEST

/* Dot files: 404 by default, decoded or not, existing or not, and a
 * directory among them gets no redirect that would say it exists. */
START_TEST(test_dotfiles_hidden)
{
    static const char *const hidden[] = {
        "/.env", "/.git/config", "/.git/", "/.git", "/%2egit/config", "/%2Egit/config", "/%2e%65nv",
        "/sub/.hidden", "/sub/%2ehidden", "/sub%2F.hidden", "/x/../.env", "/sub/./.hidden",
        "/.missing", "/sub/.missing/x", "/...", "/.well-known/.secret", "/.well-known/../.env",
        "/.well-known-not/x", "/.WELL-KNOWN/acme-challenge/token", "/.htpasswd", "//.env",
    };
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        expect_result(hidden[i], FILES_HIDDEN);
    /* a name that merely holds a dot, and a link to a dot file under a
     * plain name (the document root's owner made it), are not hidden */
    expect_file("/sub/index.html", "<h1>sub</h1>\n", NULL);
    expect_file("/dot-link", "DATABASE_PASSWORD=hunter2\n", NULL);
    /* ".." is still what it always was: a bad path above the root */
    expect_result("/..", FILES_BAD_PATH);
}
END_TEST

/* RFC 8615: /.well-known/ is published on purpose (ACME, security.txt). */
START_TEST(test_dotfiles_well_known)
{
    expect_file("/.well-known/acme-challenge/token", "token.thumbprint\n", NULL);
    expect_file("/%2ewell-known/acme-challenge/token", "token.thumbprint\n", NULL);
    expect_file("/sub/../.well-known/acme-challenge/token", "token.thumbprint\n", NULL);
    expect_result("/.well-known", FILES_REDIRECT_SLASH);
    expect_result("/.well-known/acme-challenge", FILES_REDIRECT_SLASH);
    expect_result("/.well-known/missing", FILES_NOT_FOUND);
}
END_TEST

/* serve_dotfiles on: dot files are files like the others. */
START_TEST(test_dotfiles_served)
{
    struct files_entry entry;
    ck_assert_int_eq(files_open(root_fd, "/.env", 5, "index.html", true, &entry), FILES_OK);
    close(entry.fd);
    ck_assert_int_eq(files_open(root_fd, "/%2egit/config", 14, "index.html", true, &entry), FILES_OK);
    close(entry.fd);
    ck_assert_int_eq(files_open(root_fd, "/.git/", 6, "index.html", true, &entry), FILES_OK);
    close(entry.fd);
    ck_assert_int_eq(files_open(root_fd, "/.git", 5, "index.html", true, &entry), FILES_REDIRECT_SLASH);
    ck_assert_int_eq(files_open(root_fd, "/.missing", 9, "index.html", true, &entry), FILES_NOT_FOUND);
    ck_assert_int_eq(files_open(root_fd, "/../.env", 8, "index.html", true, &entry), FILES_BAD_PATH);
}
END_TEST

START_TEST(test_path_hidden)
{
    static const struct { const char *path; bool hidden; } cases[] = {
        { "/", false }, { "/index.html", false }, { "/a.b/c.d", false }, { "/sub/", false },
        { "/.well-known/", false }, { "/.well-known", false }, { "/.well-known/acme-challenge/x", false },
        { "/a/.well-known/x", true }, { "/.well-known/.x", true }, { "/.well-knownx", true },
        { "/.well-known./x", true }, { "/.env", true }, { "/.git/config", true }, { "/a/.b/", true },
        { "/a/b/.c", true }, { "/...", true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(files_path_hidden(cases[i].path) == cases[i].hidden, "%s: expected %s", cases[i].path,
                      cases[i].hidden ? "hidden" : "not hidden");
}
END_TEST

START_TEST(test_entry_content_types)
{
    expect_file("/file.txt", "hello\n", "text/plain; charset=utf-8");
    expect_file("/Upper.HTML", "<p>upper</p>\n", "text/html; charset=utf-8");
}
END_TEST

/* Many lookups of every kind, then the same number of descriptors. */
START_TEST(test_no_fd_leak)
{
    static const char *const paths[] = {
        "/", "/sub/", "/sub", "/noindex/", "/dirindex/", "/linkindex/", "/../x", "/fifo",
        "/socket", "/outside-link", "/outside-dir-link/passwd", "/rel-outside-dir/passwd",
        "/abs-inside-link", "/secret.txt", "/missing", "/file.txt/", "/.env", "/.git", "/.git/",
    };
    int before = count_fds();
    for (int round = 0; round < 50; round++)
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
            struct files_entry entry;
            if (lookup(paths[i], &entry) == FILES_OK)
                close(entry.fd);
        }
    ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* ------------------------------------------------------------ normalising */

struct norm_case { const char *in; const char *out; int trailing; };

START_TEST(test_normalize_table)
{
    static const struct norm_case cases[] = {
        { "/", "/", 1 },
        { "/a", "/a", 0 },
        { "/a/", "/a/", 1 },
        { "//a///b//", "/a/b/", 1 },
        { "/./a/./b/.", "/a/b/", 1 },
        { "/a/b/..", "/a/", 1 },
        { "/a/..", "/", 1 },
        { "/a/b/../../c/./d/", "/c/d/", 1 },
        { "/a/%2E%2E/index.html", "/index.html", 0 },
        { "/a%2Fb", "/a/b", 0 },
        { "/a%2f..%2Fb", "/b", 0 },
        { "/%2F%2F", "/", 1 },
        { "/%41%62%2e", "/Ab.", 0 },
        { "/a%20b", "/a b", 0 },
        { "/%25", "/%", 0 },
        { "/%252e%252e", "/%2e%2e", 0 },    /* decoded once, not twice */
        { "/a\\..\\b", "/a\\..\\b", 0 },
        { "/...", "/...", 0 },
        { "/.a/..b/b..", "/.a/..b/b..", 0 },
        { "/%ff%FE", "/\xff\xfe", 0 },
        { "/..", NULL, 0 },
        { "/../", NULL, 0 },
        { "/a/../..", NULL, 0 },
        { "/a/../../b", NULL, 0 },
        { "/%2e%2e", NULL, 0 },
        { "/%2E%2e/x", NULL, 0 },
        { "/.%2e/", NULL, 0 },
        { "/%00", NULL, 0 },
        { "/a%", NULL, 0 },
        { "/a%2", NULL, 0 },
        { "/bad%zz", NULL, 0 },
        { "/%g0", NULL, 0 },
        { "/%0g", NULL, 0 },
        { "a/b", NULL, 0 },
        { "", NULL, 0 },
        { "%2Fa", NULL, 0 },
        { ".", NULL, 0 },
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int trailing = -1;
        long n = files_normalize_path(cases[i].in, strlen(cases[i].in), out, sizeof out, &trailing);
        if (cases[i].out == NULL) {
            ck_assert_msg(n == -1, "\"%s\": expected -1, got %ld \"%s\"", cases[i].in, n, out);
            continue;
        }
        ck_assert_msg(n == (long)strlen(cases[i].out) && strcmp(out, cases[i].out) == 0,
                      "\"%s\": expected \"%s\", got %ld \"%s\"", cases[i].in, cases[i].out, n,
                      n >= 0 ? out : "");
        ck_assert_msg(trailing == cases[i].trailing, "\"%s\": trailing %d", cases[i].in, trailing);
    }
    /* a literal NUL inside the given length */
    ck_assert_int_eq(files_normalize_path("/a\0b", 4, out, sizeof out, NULL), -1);
    /* only `length` bytes count */
    ck_assert_int_eq(files_normalize_path("/ab/../c", 3, out, sizeof out, NULL), 3);
    ck_assert_str_eq(out, "/ab");
}
END_TEST

START_TEST(test_normalize_sizes)
{
    char out[16];
    int trailing;
    ck_assert_int_eq(files_normalize_path("/abc", 4, out, 5, &trailing), 4);
    ck_assert_str_eq(out, "/abc");
    ck_assert_int_eq(files_normalize_path("/abc", 4, out, 4, &trailing), -1);
    ck_assert_int_eq(files_normalize_path("/abc/", 5, out, 5, &trailing), -1);
    ck_assert_int_eq(files_normalize_path("/", 1, out, 2, &trailing), 1);
    ck_assert_int_eq(files_normalize_path("/", 1, out, 1, &trailing), -1);
    ck_assert_int_eq(files_normalize_path("/", 1, out, 0, &trailing), -1);
    ck_assert_int_eq(files_normalize_path("/", 1, NULL, 0, &trailing), -1);

    /* the limit is on the result, not on what the walk passes through */
    char in[6000];
    memset(in, 'a', sizeof in);
    in[0] = '/';
    memcpy(in + 5000, "/../b", 5);
    ck_assert_int_eq(files_normalize_path(in, 5005, out, 3, &trailing), 2);
    ck_assert_str_eq(out, "/b");
    ck_assert_int_eq(trailing, 0);
    ck_assert_int_eq(files_normalize_path(in, 5005, out, 2, &trailing), -1);
}
END_TEST

/* A plain left-to-right reference: decode everything, then split. */
static long reference_normalize(const char *in, size_t n, char *out, size_t out_size, int *trailing)
{
    char decoded[512];
    size_t d = 0;
    if (n == 0 || in[0] != '/')
        return -1;
    for (size_t i = 0; i < n; ) {
        if (in[i] == '\0')
            return -1;
        if (in[i] == '%') {
            unsigned v;
            char hex[3] = { 0 };
            if (n - i < 3)
                return -1;
            hex[0] = in[i + 1];
            hex[1] = in[i + 2];
            if (strspn(hex, "0123456789abcdefABCDEF") != 2 || sscanf(hex, "%2x", &v) != 1 || v == 0)
                return -1;
            decoded[d++] = (char)v;
            i += 3;
        } else {
            decoded[d++] = in[i++];
        }
    }
    char result[512];
    size_t r = 0;
    size_t starts[256];
    int depth = 0;
    bool last_was_dir = false;
    size_t i = 1;
    for (;;) {
        size_t s = i;
        while (i < d && decoded[i] != '/')
            i++;
        size_t len = i - s;
        if (len == 0 || (len == 1 && decoded[s] == '.')) {
            last_was_dir = true;
        } else if (len == 2 && decoded[s] == '.' && decoded[s + 1] == '.') {
            if (depth == 0)
                return -1;
            r = starts[--depth];
            last_was_dir = true;
        } else {
            starts[depth++] = r;
            result[r++] = '/';
            memcpy(result + r, decoded + s, len);
            r += len;
            last_was_dir = false;
        }
        if (i >= d)
            break;
        i++;
    }
    if (r == 0 || last_was_dir)
        result[r++] = '/';
    *trailing = result[r - 1] == '/';
    if (r + 1 > out_size)
        return -1;
    memcpy(out, result, r);
    out[r] = '\0';
    return (long)r;
}

START_TEST(test_normalize_random)
{
    static const char *const pieces[] = {
        "/", "/", "/", "a", "bc", ".", "..", "%2e", "%2E", "%2f", "%2F", "%41", "%25",
        "%", "%0", "%00", "%zz", "\\", "//", "/..", "/.", "%2e%2e", "%ff",
    };
    unsigned long long state = 0x9E3779B97F4A7C15ULL;
    char in[256], got[256], want[256];
    for (int round = 0; round < 50000; round++) {
        size_t n = 0;
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
        if (state % 16 != 0)
            in[n++] = '/';
        int count = (int)((state >> 8) % 14);
        for (int k = 0; k < count; k++) {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            const char *p = pieces[(state >> 16) % (sizeof pieces / sizeof pieces[0])];
            size_t m = strlen(p);
            memcpy(in + n, p, m);
            n += m;
        }
        size_t out_size = (state >> 40) % 4 == 0 ? (size_t)((state >> 44) % 12) : sizeof got;
        int t_got = -1, t_want = -1;
        long a = files_normalize_path(in, n, got, out_size, &t_got);
        long b = reference_normalize(in, n, want, out_size, &t_want);
        ck_assert_msg(a == b, "\"%.*s\" (size %zu): got %ld, want %ld", (int)n, in, out_size, a, b);
        if (a >= 0) {
            ck_assert_msg(strcmp(got, want) == 0, "\"%.*s\": got \"%s\", want \"%s\"",
                          (int)n, in, got, want);
            ck_assert_int_eq(t_got, t_want);
            ck_assert_int_eq(got[0], '/');
            ck_assert_ptr_null(strstr(got, "//"));
        }
    }
}
END_TEST

/* ------------------------------------------------------------ content types */

START_TEST(test_content_types)
{
    static const struct { const char *path, *type; } table[] = {
        { "/index.html", "text/html; charset=utf-8" },
        { "/a.htm", "text/html; charset=utf-8" },
        { "/A.HTML", "text/html; charset=utf-8" },
        { "/s.css", "text/css; charset=utf-8" },
        { "/app.js", "text/javascript; charset=utf-8" },
        { "/mod.mjs", "text/javascript; charset=utf-8" },
        { "/d.json", "application/json" },
        { "/r.txt", "text/plain; charset=utf-8" },
        { "/f.xml", "application/xml" },
        { "/i.svg", "image/svg+xml" },
        { "/i.png", "image/png" },
        { "/i.jpg", "image/jpeg" },
        { "/i.JPEG", "image/jpeg" },
        { "/i.gif", "image/gif" },
        { "/i.webp", "image/webp" },
        { "/favicon.ico", "image/x-icon" },
        { "/i.avif", "image/avif" },
        { "/f.woff", "font/woff" },
        { "/f.woff2", "font/woff2" },
        { "/m.wasm", "application/wasm" },
        { "/d.pdf", "application/pdf" },
        { "/v.mp4", "video/mp4" },
        { "/v.webm", "video/webm" },
        { "noslash.css", "text/css; charset=utf-8" },
        { "/f.ttf", "font/ttf" },
        { "/a.MP3", "audio/mpeg" },
        { "/site.webmanifest", "application/manifest+json" },
        { "/a.tar.gz", "application/gzip" },
        { "/a.tgz", "application/octet-stream" },
        { "/html", "application/octet-stream" },
        { "/dir.html/file", "application/octet-stream" },   /* last component only */
        { "/dir.html/", "application/octet-stream" },
        { "/.html", "application/octet-stream" },           /* a dot file */
        { "/file.", "application/octet-stream" },
        { "/x.htmlx", "application/octet-stream" },
        { "/x.ht", "application/octet-stream" },
        { "", "application/octet-stream" },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        ck_assert_msg(strcmp(files_content_type(table[i].path), table[i].type) == 0,
                      "%s: %s", table[i].path, files_content_type(table[i].path));
    ck_assert_str_eq(files_content_type(NULL), "application/octet-stream");
}
END_TEST

/* ------------------------------------------------------------ runner */

static Suite *files_suite(void)
{
    Suite *s = suite_create(expect_openat2() ? "files (openat2)" : "files (fallback)");

    TCase *tc = tcase_create("lookup");
    tcase_add_unchecked_fixture(tc, tree_setup, tree_teardown);
    tcase_add_checked_fixture(tc, fd_check_setup, fd_check_teardown);
    tcase_set_timeout(tc, 30);   /* a FIFO that blocked would show here */
    tcase_add_test(tc, test_root_index);
    tcase_add_test(tc, test_sub_index);
    tcase_add_test(tc, test_no_index_configured);
    tcase_add_test(tc, test_bad_paths);
    tcase_add_test(tc, test_dot_dot_inside);
    tcase_add_test(tc, test_symlinks);
    tcase_add_test(tc, test_absolute_symlink_inside);
    tcase_add_test(tc, test_not_regular);
    tcase_add_test(tc, test_missing);
    tcase_add_test(tc, test_unreadable);
    tcase_add_test(tc, test_entry_content_types);
    tcase_add_test(tc, test_dotfiles_hidden);
    tcase_add_test(tc, test_dotfiles_well_known);
    tcase_add_test(tc, test_dotfiles_served);
    tcase_add_test(tc, test_no_fd_leak);
    suite_add_tcase(s, tc);

    tc = tcase_create("normalize");
    tcase_add_test(tc, test_normalize_table);
    tcase_add_test(tc, test_path_hidden);
    tcase_add_test(tc, test_normalize_sizes);
    tcase_add_test(tc, test_normalize_random);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("content_type");
    tcase_add_test(tc, test_content_types);
    suite_add_tcase(s, tc);
    return s;
}

/* Run this same program again with the fallback forced. */
static int run_fallback_pass(char **argv)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        setenv(HOOK, "1", 1);
        /* argv[0] first: under valgrind, /proc/self/exe is valgrind's tool */
        if (argv[0] != NULL && strchr(argv[0], '/') != NULL)
            execv(argv[0], argv);
        execv("/proc/self/exe", argv);
        perror("exec");
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return 1;
    return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
    (void)argc;
    int fds_before = count_fds();

    SRunner *runner = srunner_create(files_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);

    int fds_after = count_fds();
    if (fds_after != fds_before) {
        fprintf(stderr, "descriptor leak: %d open before the suite, %d after\n",
                fds_before, fds_after);
        failed++;
    }
    const char *hook = getenv(HOOK);
    if (hook == NULL || strcmp(hook, "1") != 0) {
        if (run_fallback_pass(argv) != 0) {
            fprintf(stderr, "the fallback pass (" HOOK "=1) failed\n");
            failed++;
        }
    }
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
