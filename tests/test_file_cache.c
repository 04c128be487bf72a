/* SPDX-License-Identifier: Apache-2.0 */
/* test_file_cache.c: unit tests for the per-worker file cache
 * (src/file_cache.c): hits without touching the disk, revalidation by
 * mtime/size/inode once the validity window has passed, bodies kept alive
 * while a connection holds them, the size limits, and the same safe lookup
 * as files_open (nothing outside the root, no descriptor leaked). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "file_cache.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "open_fds.h"

static char root_path[] = "/tmp/tlsd-file-cache.XXXXXX";
static int root_fd = -1;

static void write_file(const char *name, const char *content, size_t length)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root_path, name);
    /* a new inode each time, as editors and deploys usually make */
    char temporary[520];
    snprintf(temporary, sizeof temporary, "%s.new", path);
    FILE *file = fopen(temporary, "w");
    ck_assert_ptr_nonnull(file);
    ck_assert_uint_eq(fwrite(content, 1, length, file), length);
    ck_assert_int_eq(fclose(file), 0);
    ck_assert_int_eq(rename(temporary, path), 0);
}

static void setup(void)
{
    strcpy(root_path, "/tmp/tlsd-file-cache.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root_path));
    root_fd = open(root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ck_assert_int_ge(root_fd, 0);
    write_file("index.html", "<p>hello</p>", 12);
}

static void teardown(void)
{
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", root_path);
    close(root_fd);
    ck_assert_int_eq(system(command), 0);
}

static enum files_result open_path(struct file_cache *cache, const char *path, time_t now,
                                   struct files_entry *entry, struct cached_body **body)
{
    return file_cache_open(cache, root_fd, path, strlen(path), "index.html", false, now, entry, body);
}

START_TEST(test_hit_without_disk)
{
    struct file_cache *cache = file_cache_create();
    struct files_entry entry;
    struct cached_body *body = NULL;
    ck_assert_int_eq(open_path(cache, "/index.html", 100, &entry, &body), FILES_OK);
    ck_assert_ptr_nonnull(body);
    ck_assert_int_eq(entry.fd, -1);
    ck_assert_uint_eq(body->size, 12);
    ck_assert_mem_eq(body->bytes, "<p>hello</p>", 12);
    ck_assert_str_eq(entry.content_type, "text/html; charset=utf-8");
    file_cache_release(body);

    /* within the window the disk is not consulted: a deleted file still hits */
    char path[512];
    snprintf(path, sizeof path, "%s/index.html", root_path);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(open_path(cache, "/index.html", 100, &entry, &body), FILES_OK);
    ck_assert_ptr_nonnull(body);
    file_cache_release(body);
    struct file_cache_statistics statistics = file_cache_statistics(cache);
    ck_assert_uint_eq(statistics.loaded, 1);
    ck_assert_uint_eq(statistics.hits, 1);

    /* after it, the lookup sees the file is gone */
    ck_assert_int_eq(open_path(cache, "/index.html", 100 + FILE_CACHE_VALID_SECONDS, &entry, &body),
                     FILES_NOT_FOUND);
    ck_assert_ptr_null(body);
    file_cache_free(cache);
}
END_TEST

START_TEST(test_absence_remembered)
{
    struct file_cache *cache = file_cache_create();
    struct files_entry entry;
    struct cached_body *body = NULL;
    ck_assert_int_eq(open_path(cache, "/style.css.gz", 100, &entry, &body), FILES_NOT_FOUND);
    ck_assert_ptr_null(body);
    /* created within the window: still absent, from memory */
    write_file("style.css.gz", "GZ", 2);
    ck_assert_int_eq(open_path(cache, "/style.css.gz", 100, &entry, &body), FILES_NOT_FOUND);
    ck_assert_int_eq(entry.fd, -1);
    ck_assert_uint_eq(file_cache_statistics(cache).absent, 1);
    /* after it, found and cached like any file */
    ck_assert_int_eq(open_path(cache, "/style.css.gz", 100 + FILE_CACHE_VALID_SECONDS, &entry, &body), FILES_OK);
    ck_assert_ptr_nonnull(body);
    ck_assert_uint_eq(body->size, 2);
    file_cache_release(body);
    /* and a file that goes away is remembered as absent in its place */
    char path[512];
    snprintf(path, sizeof path, "%s/style.css.gz", root_path);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(open_path(cache, "/style.css.gz", 100 + 2 * FILE_CACHE_VALID_SECONDS, &entry, &body),
                     FILES_NOT_FOUND);
    ck_assert_int_eq(open_path(cache, "/style.css.gz", 100 + 2 * FILE_CACHE_VALID_SECONDS, &entry, &body),
                     FILES_NOT_FOUND);
    ck_assert_uint_eq(file_cache_statistics(cache).absent, 2);
    /* a full cache of absent paths still makes room for a file */
    for (int i = 0; i < 2 * FILE_CACHE_ENTRIES; i++) {
        char missing[32];
        snprintf(missing, sizeof missing, "/missing-%d", i);
        ck_assert_int_eq(open_path(cache, missing, 200, &entry, &body), FILES_NOT_FOUND);
    }
    ck_assert_int_eq(open_path(cache, "/index.html", 200, &entry, &body), FILES_OK);
    ck_assert_ptr_nonnull(body);
    file_cache_release(body);
    file_cache_free(cache);
}
END_TEST

START_TEST(test_revalidation)
{
    struct file_cache *cache = file_cache_create();
    struct files_entry entry;
    struct cached_body *body = NULL;
    ck_assert_int_eq(open_path(cache, "/", 10, &entry, &body), FILES_OK);  /* the index */
    struct cached_body *first = body;

    /* unchanged: revalidated, the same body */
    ck_assert_int_eq(open_path(cache, "/", 20, &entry, &body), FILES_OK);
    ck_assert_ptr_eq(body, first);
    file_cache_release(body);
    ck_assert_uint_eq(file_cache_statistics(cache).revalidated, 1);

    /* changed: new content; the old body lives on for whoever holds it */
    write_file("index.html", "<p>changed, longer</p>", 22);
    ck_assert_int_eq(open_path(cache, "/", 30, &entry, &body), FILES_OK);
    ck_assert_ptr_ne(body, first);
    ck_assert_uint_eq(body->size, 22);
    ck_assert_mem_eq(body->bytes, "<p>changed, longer</p>", 22);
    ck_assert_mem_eq(first->bytes, "<p>hello</p>", 12);
    file_cache_release(first);
    file_cache_release(body);
    ck_assert_uint_eq(file_cache_statistics(cache).loaded, 2);
    file_cache_free(cache);
}
END_TEST

START_TEST(test_large_file_from_disk)
{
    size_t size = FILE_CACHE_MAX_FILE + 1;
    char *big = malloc(size);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', size);
    write_file("big.bin", big, size);
    free(big);
    struct file_cache *cache = file_cache_create();
    struct files_entry entry;
    struct cached_body *body = NULL;
    ck_assert_int_eq(open_path(cache, "/big.bin", 1, &entry, &body), FILES_OK);
    ck_assert_ptr_null(body);
    ck_assert_int_ge(entry.fd, 0);
    ck_assert_uint_eq(entry.size, size);
    close(entry.fd);
    ck_assert_uint_eq(file_cache_statistics(cache).uncached, 1);
    file_cache_free(cache);
}
END_TEST

START_TEST(test_bounded_and_no_leaks)
{
    int fds_before = count_open_fds();
    struct file_cache *cache = file_cache_create();
    /* more files than entries, and more bytes than the cache may hold */
    char *content = malloc(FILE_CACHE_MAX_FILE);
    ck_assert_ptr_nonnull(content);
    memset(content, 'y', FILE_CACHE_MAX_FILE);
    for (int i = 0; i < FILE_CACHE_ENTRIES + 8; i++) {
        char name[32], path[40];
        snprintf(name, sizeof name, "f%d.txt", i);
        snprintf(path, sizeof path, "/%s", name);
        write_file(name, content, FILE_CACHE_MAX_FILE);
        struct files_entry entry;
        struct cached_body *body = NULL;
        ck_assert_int_eq(open_path(cache, path, 5, &entry, &body), FILES_OK);
        ck_assert_ptr_nonnull(body);
        file_cache_release(body);
    }
    free(content);
    /* the most recent is still cached; the first was evicted */
    struct files_entry entry;
    struct cached_body *body = NULL;
    uint64_t loaded = file_cache_statistics(cache).loaded;
    char last[40];
    snprintf(last, sizeof last, "/f%d.txt", FILE_CACHE_ENTRIES + 7);
    ck_assert_int_eq(open_path(cache, last, 5, &entry, &body), FILES_OK);
    file_cache_release(body);
    ck_assert_uint_eq(file_cache_statistics(cache).loaded, loaded);
    ck_assert_int_eq(open_path(cache, "/f0.txt", 5, &entry, &body), FILES_OK);
    file_cache_release(body);
    ck_assert_uint_eq(file_cache_statistics(cache).loaded, loaded + 1);
    file_cache_free(cache);
    ck_assert_int_eq(count_open_fds(), fds_before);
}
END_TEST

START_TEST(test_safe_lookup_kept)
{
    struct file_cache *cache = file_cache_create();
    struct files_entry entry;
    struct cached_body *body = NULL;
    ck_assert_int_eq(open_path(cache, "/../etc/passwd", 1, &entry, &body), FILES_BAD_PATH);
    ck_assert_ptr_null(body);
    char link_path[512];
    snprintf(link_path, sizeof link_path, "%s/escape", root_path);
    ck_assert_int_eq(symlink("/etc/passwd", link_path), 0);
    ck_assert_int_ne(open_path(cache, "/escape", 1, &entry, &body), FILES_OK);
    ck_assert_ptr_null(body);
    /* a directory without its slash: the redirect, never cached */
    char directory[512];
    snprintf(directory, sizeof directory, "%s/sub", root_path);
    ck_assert_int_eq(mkdir(directory, 0755), 0);
    ck_assert_int_eq(open_path(cache, "/sub", 1, &entry, &body), FILES_REDIRECT_SLASH);
    /* a path longer than the key limit still works, uncached */
    char long_path[FILE_CACHE_MAX_KEY + 40];
    memset(long_path, '/', sizeof long_path - 12);
    strcpy(long_path + sizeof long_path - 12, "index.html");
    ck_assert_int_eq(open_path(cache, long_path, 1, &entry, &body), FILES_OK);
    ck_assert_ptr_null(body);
    close(entry.fd);
    file_cache_clear(cache);
    file_cache_free(cache);
}
END_TEST

/* A dot file cached while serve_dotfiles was on is not served from memory
 * once it is off, not even within the second an entry stays valid. */
START_TEST(test_dotfiles_not_from_cache)
{
    write_file(".env", "SECRET=1\n", 9);
    struct file_cache *cache = file_cache_create();
    struct files_entry entry;
    struct cached_body *body = NULL;
    ck_assert_int_eq(file_cache_open(cache, root_fd, "/.env", 5, "index.html", true, 100, &entry, &body), FILES_OK);
    ck_assert_ptr_nonnull(body);
    file_cache_release(body);
    body = NULL;
    ck_assert_int_eq(open_path(cache, "/.env", 100, &entry, &body), FILES_HIDDEN);
    ck_assert_ptr_null(body);
    ck_assert_int_eq(open_path(cache, "/%2eenv", 100, &entry, &body), FILES_HIDDEN);
    ck_assert_ptr_null(body);
    ck_assert_int_eq(open_path(cache, "/.env", 100, &entry, &body), FILES_HIDDEN);
    ck_assert_ptr_null(body);
    file_cache_free(cache);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("file_cache");
    TCase *tcase = tcase_create("file_cache");
    tcase_add_checked_fixture(tcase, setup, teardown);
    tcase_add_test(tcase, test_hit_without_disk);
    tcase_add_test(tcase, test_revalidation);
    tcase_add_test(tcase, test_absence_remembered);
    tcase_add_test(tcase, test_large_file_from_disk);
    tcase_add_test(tcase, test_bounded_and_no_leaks);
    tcase_add_test(tcase, test_safe_lookup_kept);
    tcase_add_test(tcase, test_dotfiles_not_from_cache);
    suite_add_tcase(suite, tcase);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
