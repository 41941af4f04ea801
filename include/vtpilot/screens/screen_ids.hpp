#pragma once
// The screen ids the code names (a signature file each in src/signatures/, design.md ◆ "Screen
// ids"). Code compares with these, never with a literal: tests/unit/test_screen_ids.cpp checks
// that each has a signature, and tests.screen_id_literals that no id literal is left in src/.
// Plain char arrays: they compare with std::string and join with + like the literals they replace.

namespace vtpilot::screen_id {

inline constexpr char aix_license[] = "aix.license";
inline constexpr char aix_login[] = "aix.login";
inline constexpr char aix_password[] = "aix.password";
inline constexpr char aix_shell[] = "aix.shell";
inline constexpr char aix_term_prompt[] = "aix.term_prompt";
inline constexpr char bos_console[] = "bos.console";
inline constexpr char bos_disks[] = "bos.disks";
inline constexpr char bos_help[] = "bos.help";
inline constexpr char bos_language[] = "bos.language";
inline constexpr char bos_media_swap[] = "bos.media_swap";
inline constexpr char bos_method[] = "bos.method";
inline constexpr char bos_migration_confirm[] = "bos.migration_confirm";
inline constexpr char bos_more_options[] = "bos.more_options";
inline constexpr char bos_progress[] = "bos.progress";
inline constexpr char bos_settings[] = "bos.settings";
inline constexpr char bos_summary[] = "bos.summary";
inline constexpr char bos_welcome[] = "bos.welcome";
inline constexpr char fw_starting_software[] = "fw.starting_software";
inline constexpr char hmc_vterm_busy[] = "hmc.vterm_busy";
inline constexpr char hmc_vterm_closed[] = "hmc.vterm_closed";
inline constexpr char hmc_vterm_open[] = "hmc.vterm_open";
inline constexpr char sms_boot_options[] = "sms.boot_options";
inline constexpr char sms_boot_order[] = "sms.boot_order";
inline constexpr char sms_device_list[] = "sms.device_list";
inline constexpr char sms_device_type[] = "sms.device_type";
inline constexpr char sms_exit_confirm[] = "sms.exit_confirm";
inline constexpr char sms_main[] = "sms.main";
inline constexpr char sms_media_adapter[] = "sms.media_adapter";
inline constexpr char sms_media_type[] = "sms.media_type";
inline constexpr char sms_please_wait[] = "sms.please_wait";
inline constexpr char sms_post[] = "sms.post";
inline constexpr char sms_select_task[] = "sms.select_task";

// Every id above, for the test that each has a signature.
inline constexpr const char* all[] = {aix_license, aix_login, aix_password, aix_shell, aix_term_prompt, bos_console, bos_disks, bos_help, bos_language, bos_media_swap, bos_method, bos_migration_confirm, bos_more_options, bos_progress, bos_settings, bos_summary, bos_welcome, fw_starting_software, hmc_vterm_busy, hmc_vterm_closed, hmc_vterm_open, sms_boot_options, sms_boot_order, sms_device_list, sms_device_type, sms_exit_confirm, sms_main, sms_media_adapter, sms_media_type, sms_please_wait, sms_post, sms_select_task};

}  // namespace vtpilot::screen_id
