import numpy as np
import keras
from keras import layers

img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")

x = layers.Dense(256)(img_in)
x = layers.ReLU()(x)
x = layers.Dense(64)(x)
x = layers.Activation("relu")(x)
m = layers.Dense(16)(meta_in)
m = layers.Activation("relu")(m)

merged = layers.concatenate([x, m])
digit_logits = layers.Dense(10)(merged)
digit_out = layers.Activation("softmax", name="digit")(digit_logits)
hard_out = layers.Dense(1, activation="sigmoid", name="is_hard")(merged)

two_headed = keras.Model([img_in, meta_in], [digit_out, hard_out], name="two_headed_mlp")
two_headed.compile(optimizer="adam",
                   loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
                   loss_weights={"digit": 1.0, "is_hard": 0.3})
