# gen_libsockstate_man.cmake - write libsockstate(3) from its hand-written
# overview (libsockstate.3.in) and the public header, which STYLE.md makes
# the manual: the FUNCTIONS section lists every SOCKSTATE_API function of
# sockstate.h under the header's banners, each with the first sentence of
# its "/* name - ..." comment; EXAMPLE is examples/c/listening.c verbatim.
# A function added to the header appears here on the next build.
#
#   cmake -DHEADER=sockstate.h -DTEMPLATE=libsockstate.3.in
#         -DEXAMPLE=listening.c -DOUTPUT=libsockstate.3
#         -DVERSION=x.y.z -DDATE=YYYY-MM-DD -P gen_libsockstate_man.cmake
#
# A SOCKSTATE_API function without a "/* name - what it does" comment
# right above it is listed as undocumented, with a warning; the test
# packaging.man fails on it.

foreach(var HEADER TEMPLATE EXAMPLE OUTPUT VERSION DATE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "gen_libsockstate_man.cmake: -D${var}=... is required")
  endif()
endforeach()

# Text for a roff text line: backslashes as \e, a '-' that starts a word
# (an option, a negative number) as the minus sign \-.
function(roff_escape out text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|[ ([|,\"'=/])-" "\\1\\\\-" text "${text}")
  string(REGEX REPLACE "^([.'])" "\\\\&\\1" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The lines of a file as a list. ';' (CMake's list separator) and '[', ']'
# (an unbalanced bracket stops CMake splitting a list) are kept as
# placeholders, restored by unplaceholder().
function(read_lines out path)
  file(READ "${path}" text)
  string(REPLACE ";" "<SEMI>" text "${text}")
  string(REPLACE "[" "<LB>" text "${text}")
  string(REPLACE "]" "<RB>" text "${text}")
  string(REPLACE "\n" ";" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(unplaceholder out text)
  string(REPLACE "<SEMI>" ";" text "${text}")
  string(REPLACE "<LB>" "[" text "${text}")
  string(REPLACE "<RB>" "]" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(UNDOCUMENTED "(undocumented in sockstate.h)")
read_lines(lines "${HEADER}")
set(functions "")
set(section "")
set(section_pending FALSE)
set(banner_next FALSE)
set(in_comment FALSE)
set(comment_name "")
set(comment_text "")
set(missing "")
set(count 0)
foreach(line IN LISTS lines)
  if(banner_next)
    # " * Grouped counts: per-state counts ..." -> "Grouped counts"
    string(REGEX REPLACE "^ \\* " "" title "${line}")
    string(REGEX REPLACE "[:(].*" "" title "${title}")
    string(STRIP "${title}" title)
    set(section "${title}")
    set(section_pending TRUE)
    set(banner_next FALSE)
    continue()
  endif()
  if(line MATCHES "^/\\* =+$")
    set(banner_next TRUE)
    continue()
  endif()
  if(line MATCHES "^/\\* (sockstate_[a-z0-9_]+) - (.*)$")
    set(comment_name "${CMAKE_MATCH_1}")
    set(comment_text "${CMAKE_MATCH_2}")
    set(in_comment TRUE)
  elseif(in_comment)
    string(STRIP "${line}" body)
    string(REGEX REPLACE "^\\*[ \t]*" "" body "${body}")
    string(APPEND comment_text " ${body}")
  elseif(NOT line MATCHES "^SOCKSTATE_API")
    # Anything else between a comment and its declaration breaks the pair.
    if(NOT line STREQUAL "")
      set(comment_name "")
    endif()
  endif()
  if(in_comment AND comment_text MATCHES "\\*/")
    set(in_comment FALSE)
    string(REGEX REPLACE "[ \t]*\\*/.*$" "" comment_text "${comment_text}")
  endif()
  if(line MATCHES "^SOCKSTATE_API .*[ *](sockstate_[a-z0-9_]+)\\(")
    set(name "${CMAKE_MATCH_1}")
    if(NOT name STREQUAL comment_name)
      # Listed all the same; packaging.man fails on it, the build does not.
      list(APPEND missing "${name}")
      set(comment_text "${UNDOCUMENTED}")
    endif()
    # The first sentence, up to a colon outside parentheses: one line.
    string(REGEX REPLACE "[ \t]+" " " summary "${comment_text}")
    string(REPLACE "e.g. " "e.g.<SP>" summary "${summary}")
    string(REPLACE "i.e. " "i.e.<SP>" summary "${summary}")
    string(REGEX REPLACE "([.?]) " "\\1<CUT>" summary "${summary}")
    string(REGEX REPLACE "<CUT>.*$" "" summary "${summary}")
    string(REGEX REPLACE "^([^(:]*): .*$" "\\1." summary "${summary}")
    string(REPLACE "<SP>" " " summary "${summary}")
    string(STRIP "${summary}" summary)
    if(NOT summary MATCHES "[.?]$")
      string(APPEND summary ".")
    endif()
    roff_escape(summary "${summary}")
    if(section_pending)
      roff_escape(title "${section}")
      string(APPEND functions ".SS \"${title}\"\n")
      set(section_pending FALSE)
    endif()
    string(APPEND functions ".TP\n.B ${name}\n${summary}\n")
    math(EXPR count "${count} + 1")
    set(comment_name "")
  endif()
endforeach()

if(missing)
  string(JOIN ", " missing_list ${missing})
  message(WARNING "libsockstate(3): no \"/* name - what it does\" comment "
          "right above: ${missing_list} (${HEADER})")
endif()
if(count EQUAL 0)
  message(FATAL_ERROR "libsockstate(3): no SOCKSTATE_API function found in ${HEADER}")
endif()

# The example, verbatim, in a no-fill block.
read_lines(example_lines "${EXAMPLE}")
set(example ".nf\n.ft CR\n")
foreach(line IN LISTS example_lines)
  # Tabs as 4 columns (the file's tabs only indent), so every line fits
  # an 80-column terminal beside the page's indent.
  string(REPLACE "\t" "    " line "${line}")
  string(REPLACE "\\" "\\e" line "${line}")
  string(REPLACE "-" "\\-" line "${line}")
  string(REGEX REPLACE "^([.'])" "\\\\&\\1" line "${line}")
  string(APPEND example "${line}\n")
endforeach()
string(REGEX REPLACE "\n+$" "\n" example "${example}")
string(APPEND example ".ft\n.fi\n")

set(SOCKSTATE_MAN_VERSION "${VERSION}")
set(SOCKSTATE_MAN_DATE "${DATE}")
unplaceholder(SOCKSTATE_MAN_FUNCTIONS "${functions}")
unplaceholder(SOCKSTATE_MAN_EXAMPLE "${example}")
configure_file("${TEMPLATE}" "${OUTPUT}.tmp" @ONLY)
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
