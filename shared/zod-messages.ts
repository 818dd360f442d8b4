import * as z from 'zod/mini'
import { en } from 'zod/locales'

/**
 * The schemas use `zod/mini` (its functions tree-shake; classic zod's methods put all of zod in
 * the worker bundle). Mini has no messages of its own, so every schema module imports this one
 * for zod's English messages ("Invalid input: expected string, received number").
 */
z.config(en())
