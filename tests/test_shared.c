/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the helpers several modules share, each in its one home:
 * hex.h, clock.h, cert_time.c, secret_file.c and small_file.c. */
#include "cert_time.h"
#include "clock.h"
#include "hex.h"
#include "secret_file.h"
#include "small_file.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

START_TEST(hex_both_ways)
{
    const unsigned char bytes[] = { 0x00, 0x0f, 0xa5, 0xff };
    char out[9];
    memset(out, 'x', sizeof out);
    ck_assert_uint_eq(hex_encode(bytes, sizeof bytes, out), 8);
    ck_assert_int_eq(out[8], 'x');   /* no NUL written */
    out[8] = '\0';
    ck_assert_str_eq(out, "000fa5ff");
    for (size_t i = 0; i < 8; i += 2)
        ck_assert_int_eq(hex_digit_value((unsigned char)out[i]) * 16 + hex_digit_value((unsigned char)out[i + 1]),
                         bytes[i / 2]);
    ck_assert_int_eq(hex_digit_upper(0xa), 'A');
    ck_assert_int_eq(hex_digit(0x1b), 'b');   /* the low four bits */
    ck_assert_uint_eq(hex_encode(bytes, 0, out), 0);
}
END_TEST

START_TEST(clock_counts_forward)
{
    struct timespec start = clock_now();
    double first = milliseconds_since(&start);
    ck_assert(first >= 0.0);
    struct timespec earlier = start;
    earlier.tv_sec -= 2;
    double later = milliseconds_since(&earlier);
    ck_assert(later >= 2000.0 && later < 60000.0);
}
END_TEST

START_TEST(cert_time_texts)
{
    char text[CERT_TIME_TEXT_SIZE];
    mbedtls_x509_time time = { .year = 2027, .mon = 3, .day = 1, .hour = 12, .min = 0, .sec = 5 };
    cert_time_format(&time, text, sizeof text);
    ck_assert_str_eq(text, "2027-03-01T12:00:05Z");
    cert_time_format_epoch(0, text, sizeof text);
    ck_assert_str_eq(text, "1970-01-01T00:00:00Z");
    cert_time_format_epoch(1700000000, text, sizeof text);
    ck_assert_str_eq(text, "2023-11-14T22:13:20Z");
}
END_TEST

START_TEST(secret_file_modes)
{
    char error[256];
    unsetenv("CREDENTIALS_DIRECTORY");
    ck_assert_int_eq(secret_file_check_mode("private_key", "/k", S_IFREG | 0600, error, sizeof error), 0);
    ck_assert_int_eq(secret_file_check_mode("private_key", "/k", S_IFREG | 0400, error, sizeof error), 0);
    ck_assert_int_eq(secret_file_check_mode("keylog_file", "/k", S_IFREG | 0644, error, sizeof error), -1);
    ck_assert_str_eq(error, "keylog_file /k: readable by group or others (mode 0644): run chmod 600 on it");
    ck_assert_int_eq(secret_file_check_mode("keylog_file", "/k", S_IFREG | 0620, error, sizeof error), -1);
    ck_assert_str_eq(error, "keylog_file /k: writable by group or others (mode 0620): run chmod 600 on it");
    ck_assert_int_eq(secret_file_check_mode("x", "/k", S_IFREG | 0601, error, sizeof error), -1);
    ck_assert_str_eq(error, "x /k: executable by group or others (mode 0601): run chmod 600 on it");

    /* systemd's credential copy: group bits are an ACL mask there, and only there */
    setenv("CREDENTIALS_DIRECTORY", "/run/credentials/tlsd.service", 1);
    ck_assert_int_eq(secret_file_check_mode("private_key", "/run/credentials/tlsd.service/key", S_IFREG | 0640,
                                            error, sizeof error), 0);
    ck_assert_int_eq(secret_file_check_mode("private_key", "/run/credentials/tlsd.service.evil/key",
                                            S_IFREG | 0640, error, sizeof error), -1);
    ck_assert_int_eq(secret_file_check_mode("private_key", "/etc/key", S_IFREG | 0640, error, sizeof error), -1);
    setenv("CREDENTIALS_DIRECTORY", "relative", 1);
    ck_assert_int_eq(secret_file_check_mode("private_key", "relative/key", S_IFREG | 0640, error, sizeof error), -1);
    unsetenv("CREDENTIALS_DIRECTORY");
}
END_TEST

/* A temporary file holding `length` bytes of 'a'; returns its fd at 0. */
static int file_of(size_t length)
{
    char path[] = "/tmp/test_shared.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    char *bytes = malloc(length + 1);
    ck_assert_ptr_nonnull(bytes);
    memset(bytes, 'a', length);
    ck_assert_int_eq(write(fd, bytes, length), (ssize_t)length);
    free(bytes);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

START_TEST(small_file_limits)
{
    static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 10000 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        int fd = file_of(sizes[i]);
        char *text = NULL;
        size_t length = 99;
        ck_assert_int_eq(small_file_read(fd, 10000, &text, &length), 0);
        ck_assert_uint_eq(length, sizes[i]);
        ck_assert_int_eq(text[length], '\0');
        for (size_t j = 0; j < length; j++)
            ck_assert_int_eq(text[j], 'a');
        small_file_free(text, length);
        close(fd);
    }
    int fd = file_of(10001);
    char *text = (char *)"unset";
    size_t length = 99;
    errno = 0;
    ck_assert_int_eq(small_file_read(fd, 10000, &text, &length), -1);
    ck_assert_int_eq(errno, EFBIG);
    ck_assert_ptr_null(text);
    ck_assert_uint_eq(length, 0);
    close(fd);
    small_file_free(NULL, 0);
}
END_TEST

/* A pipe has no size to start from: the buffer grows, up to the limit. */
START_TEST(small_file_pipe)
{
    int pipe_fds[2];
    ck_assert_int_eq(pipe(pipe_fds), 0);
    char bytes[9000];
    memset(bytes, 'p', sizeof bytes);
    ck_assert_int_eq(write(pipe_fds[1], bytes, sizeof bytes), (ssize_t)sizeof bytes);
    close(pipe_fds[1]);
    char *text = NULL;
    size_t length = 0;
    ck_assert_int_eq(small_file_read(pipe_fds[0], 9000, &text, &length), 0);
    ck_assert_uint_eq(length, 9000);
    ck_assert(memcmp(text, bytes, length) == 0);
    small_file_free(text, length);
    close(pipe_fds[0]);

    ck_assert_int_eq(pipe(pipe_fds), 0);
    ck_assert_int_eq(write(pipe_fds[1], bytes, sizeof bytes), (ssize_t)sizeof bytes);
    close(pipe_fds[1]);
    errno = 0;
    ck_assert_int_eq(small_file_read(pipe_fds[0], 8999, &text, &length), -1);
    ck_assert_int_eq(errno, EFBIG);
    close(pipe_fds[0]);

    errno = 0;
    ck_assert_int_eq(small_file_read(-1, 100, &text, &length), -1);
    ck_assert_int_eq(errno, EBADF);
}
END_TEST

static Suite *shared_suite(void)
{
    Suite *s = suite_create("shared");
    TCase *tc = tcase_create("homes");
    tcase_add_test(tc, hex_both_ways);
    tcase_add_test(tc, clock_counts_forward);
    tcase_add_test(tc, cert_time_texts);
    tcase_add_test(tc, secret_file_modes);
    tcase_add_test(tc, small_file_limits);
    tcase_add_test(tc, small_file_pipe);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(shared_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
