/** The longest delay of a timer: setTimeout and setInterval turn anything longer into 1 ms, with only a warning. */
export const MAX_TIMER = 2 ** 31 - 1;
